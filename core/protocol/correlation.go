package protocol

// ClientResponse is a response a broker sends a client, matched to its
// request by correlation id, as on the wire. A host that forwards real
// clients' requests (core/gateway) pairs responses with requests by it.
// Admin responses are ClientResponses too (AdminResponse).
type ClientResponse interface {
	Correlation() int32
}

// Correlation implements ClientResponse.
func (m *MetadataResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *ProduceResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *FetchResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *ListOffsetsResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *InitProducerIDResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *FindCoordinatorResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *JoinGroupResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *SyncGroupResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *HeartbeatResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *LeaveGroupResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *OffsetCommitResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *OffsetFetchResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *AddPartitionsToTxnResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *AddOffsetsToTxnResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *EndTxnResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *TxnOffsetCommitResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *SaslHandshakeResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *SaslAuthenticateResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *DescribeGroupsResponse) Correlation() int32 { return m.CorrelationID }

// Correlation implements ClientResponse.
func (m *ListGroupsResponse) Correlation() int32 { return m.CorrelationID }
