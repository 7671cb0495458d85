package record

// controlRecordKeyVersion is the version of a control record key (Kafka's
// ControlRecordType.CURRENT_CONTROL_RECORD_KEY_VERSION).
const controlRecordKeyVersion = 0

// endTransactionMarkerVersion is the version of an end transaction marker
// value (Kafka's EndTxnMarker schema, version 0).
const endTransactionMarkerVersion = 0

// NewControlBatch returns a transaction marker batch: one control record
// whose key is the control key (version int16 0, type int16) and whose value
// is the end transaction marker (version int16 0, coordinator epoch int32 0),
// 78 bytes in all, as Kafka writes it.
func NewControlBatch(producerID int64, producerEpoch int16, t ControlType, timestampMs int64) *Batch {
	return NewEndTransactionMarkerBatch(producerID, producerEpoch, t, 0, timestampMs)
}

// NewEndTransactionMarkerBatch is NewControlBatch with the transaction
// coordinator's epoch written into the marker value, as the coordinator's
// WriteTxnMarkers request carries it.
func NewEndTransactionMarkerBatch(producerID int64, producerEpoch int16, t ControlType, coordinatorEpoch int32, timestampMs int64) *Batch {
	b := &Batch{
		ProducerID:     producerID,
		ProducerEpoch:  producerEpoch,
		BaseSequence:   NoSequence,
		Transactional:  true,
		Control:        true,
		ControlType:    t,
		MaxTimestampMs: timestampMs,
		Records: NewRecords([]Record{{
			Key:         controlRecordKey(t),
			Value:       endTransactionMarkerValue(coordinatorEpoch),
			TimestampMs: timestampMs,
		}}),
	}
	b.SizeBytes = b.ComputeSize()
	return b
}

// controlRecordKey encodes a control record key: version int16, type int16,
// big-endian.
func controlRecordKey(t ControlType) string {
	key := []byte{0, controlRecordKeyVersion, 0, byte(t)}
	return string(key)
}

// endTransactionMarkerValue encodes an end transaction marker value: version
// int16, coordinator epoch int32, big-endian.
func endTransactionMarkerValue(coordinatorEpoch int32) string {
	epoch := uint32(coordinatorEpoch)
	value := []byte{0, endTransactionMarkerVersion,
		byte(epoch >> 24), byte(epoch >> 16), byte(epoch >> 8), byte(epoch)}
	return string(value)
}

// CoordinatorEpoch returns the coordinator epoch written in a transaction
// marker batch, and false when the batch is not a well-formed marker.
func (b *Batch) CoordinatorEpoch() (int32, bool) {
	if !b.Control || b.Records.Len() != 1 {
		return 0, false
	}
	v := b.Records.At(0).Value
	if len(v) < 6 {
		return 0, false
	}
	epoch := uint32(v[2])<<24 | uint32(v[3])<<16 | uint32(v[4])<<8 | uint32(v[5])
	return int32(epoch), true
}
