package storage

import (
	"slices"
	"testing"
)

// epochCacheOf assigns entries in order, as the Kafka tests do.
func epochCacheOf(entries ...EpochEntry) *epochCache {
	c := &epochCache{}
	for _, entry := range entries {
		c.assign(entry.Epoch, entry.StartOffset)
	}
	return c
}

// The cases below are those of Kafka's LeaderEpochFileCacheTest that apply.
func TestEndOffsetFor(t *testing.T) {
	type query struct {
		epoch        int32
		logEndOffset int64
		wantEpoch    int32
		wantOffset   int64
	}
	tests := []struct {
		name    string
		assigns []EpochEntry
		queries []query
	}{
		{"shouldAddEpochAndMessageOffsetToCache", []EpochEntry{{2, 10}},
			[]query{{2, 11, 2, 11}}},
		{"shouldReturnLogEndOffsetIfLatestEpochRequested", []EpochEntry{{2, 11}, {2, 12}},
			[]query{{2, 14, 2, 14}}},
		{"shouldReturnUndefinedOffsetIfUndefinedEpochRequested", []EpochEntry{{2, 11}, {3, 12}},
			[]query{{UndefinedEpoch, 0, UndefinedEpoch, UndefinedEpochOffset}}},
		{"shouldReturnUnsupportedIfNoEpochRecorded", nil,
			[]query{{0, 0, UndefinedEpoch, UndefinedEpochOffset}}},
		{"shouldReturnUnsupportedIfNoEpochRecordedAndUndefinedEpochRequested", nil,
			[]query{{UndefinedEpoch, 73, UndefinedEpoch, UndefinedEpochOffset}}},
		{"shouldReturnFirstEpochIfRequestedEpochLessThanFirstEpoch", []EpochEntry{{5, 11}, {6, 12}, {7, 13}},
			[]query{{4, 0, 4, 11}}},
		{"shouldTruncateIfMatchingEpochButEarlierStartingOffset", []EpochEntry{{5, 11}, {6, 12}, {7, 13}, {7, 12}},
			[]query{{5, 0, 5, 12}, {6, 0, 5, 12}}},
		{"shouldGetFirstOffsetOfSubsequentEpochWhenOffsetRequestedForPreviousEpoch",
			[]EpochEntry{{1, 11}, {1, 12}, {2, 13}, {2, 14}, {3, 15}, {3, 16}},
			[]query{{2, 17, 2, 15}}},
		{"shouldReturnNextAvailableEpochIfThereIsNoExactEpochForTheOneRequested", []EpochEntry{{0, 10}, {2, 13}, {4, 17}},
			[]query{{1, 0, 0, 13}, {2, 0, 2, 17}, {3, 0, 2, 17}}},
		{"shouldReturnInvalidOffsetIfEpochIsRequestedWhichIsNotCurrentlyTracked", []EpochEntry{{2, 100}},
			[]query{{3, 100, UndefinedEpoch, UndefinedEpochOffset}}},
		{"shouldSupportEpochsThatDoNotStartFromZero", []EpochEntry{{2, 6}},
			[]query{{2, 7, 2, 7}}},
		{"shouldEnforceMonotonicallyIncreasingEpochs", []EpochEntry{{1, 5}, {2, 6}, {1, 7}},
			[]query{{1, 8, 1, 8}, {2, 8, UndefinedEpoch, UndefinedEpochOffset}}},
		{"shouldIncreaseAndTrackEpochsAsLeadersChangeManyTimes", []EpochEntry{{0, 0}, {1, 0}, {2, 5}},
			[]query{{2, 10, 2, 10}, {1, 10, 1, 5}, {0, 10, 0, 0}}},
		{"shouldIncreaseAndTrackEpochsAsFollowerReceivesManyMessages",
			[]EpochEntry{{0, 0}, {0, 1}, {0, 2}, {1, 3}, {1, 4}, {1, 5}, {2, 6}, {2, 7}, {2, 8}},
			[]query{{2, 9, 2, 9}, {0, 9, 0, 3}, {1, 9, 1, 6}}},
		{"shouldFetchEndOffsetOfEmptyCache", nil,
			[]query{{7, 0, UndefinedEpoch, UndefinedEpochOffset}}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c := epochCacheOf(test.assigns...)
			for _, q := range test.queries {
				epoch, offset := c.endOffsetFor(q.epoch, q.logEndOffset)
				if epoch != q.wantEpoch || offset != q.wantOffset {
					t.Errorf("endOffsetFor(%d, %d) = (%d, %d), want (%d, %d)",
						q.epoch, q.logEndOffset, epoch, offset, q.wantEpoch, q.wantOffset)
				}
			}
		})
	}
}

func TestEpochCacheAssign(t *testing.T) {
	tests := []struct {
		name    string
		assigns []EpochEntry
		want    []EpochEntry
	}{
		{"shouldNotOverwriteLogEndOffsetForALeaderEpochOnceItHasBeenAssigned", []EpochEntry{{2, 9}, {2, 10}}, []EpochEntry{{2, 9}}},
		{"shouldEnforceMonotonicallyIncreasingStartOffsets", []EpochEntry{{2, 9}, {3, 9}}, []EpochEntry{{3, 9}}},
		{"shouldNotUpdateEpochAndStartOffsetIfItDidNotChange", []EpochEntry{{2, 6}, {2, 7}}, []EpochEntry{{2, 6}}},
		{"shouldEnforceMonotonicallyIncreasingEpochs", []EpochEntry{{1, 5}, {2, 6}, {1, 7}}, []EpochEntry{{1, 7}}},
		{"shouldEnforceOffsetsIncreaseMonotonically", []EpochEntry{{2, 6}, {3, 5}}, []EpochEntry{{3, 5}}},
		{"shouldIncreaseAndTrackEpochsAsLeadersChangeManyTimes", []EpochEntry{{0, 0}, {1, 0}}, []EpochEntry{{1, 0}}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := epochCacheOf(test.assigns...).snapshot(); !slices.Equal(got, test.want) {
				t.Errorf("entries %v, want %v", got, test.want)
			}
		})
	}
	expectPanic(t, "negative epoch", func() { epochCacheOf(EpochEntry{-1, 0}) })
	expectPanic(t, "negative offset", func() { epochCacheOf(EpochEntry{0, -1}) })
}

func TestEpochCacheTruncate(t *testing.T) {
	base := []EpochEntry{{2, 6}, {3, 8}, {4, 11}}
	tests := []struct {
		name      string
		fromStart bool
		offset    int64
		want      []EpochEntry
	}{
		{"shouldDropEntriesOnEpochBoundaryWhenRemovingLatestEntries", false, 8, []EpochEntry{{2, 6}}},
		{"shouldDropEntriesBetweenEpochBoundaryWhenRemovingNewest", false, 9, []EpochEntry{{2, 6}, {3, 8}}},
		{"shouldNotResetEpochHistoryTailIfUndefinedPassed", false, UndefinedEpochOffset, base},
		{"shouldPreserveResetOffsetOnClearEarliestIfOneExists", true, 8, []EpochEntry{{3, 8}, {4, 11}}},
		{"shouldNotClearAnythingIfOffsetTooEarly", true, 1, base},
		{"shouldNotClearAnythingIfOffsetIsFirstOffset", true, 6, base},
		{"shouldRetainLatestEpochOnClearAllEarliest", true, 11, []EpochEntry{{4, 11}}},
		{"shouldUpdateOffsetBetweenEpochBoundariesOnClearEarliest", true, 9, []EpochEntry{{3, 9}, {4, 11}}},
		{"shouldRetainLatestEpochOnClearAllEarliestAndUpdateItsOffset", true, 15, []EpochEntry{{4, 15}}},
		{"shouldNotResetEpochHistoryHeadIfUndefinedPassed", true, UndefinedEpochOffset, base},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			c := epochCacheOf(base...)
			if test.fromStart {
				c.truncateFromStart(test.offset)
			} else {
				c.truncateFromEnd(test.offset)
			}
			if got := c.snapshot(); !slices.Equal(got, test.want) {
				t.Errorf("entries %v, want %v", got, test.want)
			}
		})
	}
	empty := &epochCache{}
	empty.truncateFromStart(7)
	empty.truncateFromEnd(7)
	if len(empty.entries) != 0 {
		t.Errorf("truncating an empty cache added entries")
	}
}

func TestEpochForOffset(t *testing.T) {
	c := epochCacheOf(EpochEntry{0, 0}, EpochEntry{1, 7}, EpochEntry{2, 10})
	tests := []struct {
		offset    int64
		wantEpoch int32
		wantOK    bool
	}{
		{0, 0, true}, {6, 0, true}, {7, 1, true}, {9, 1, true}, {10, 2, true}, {50, 2, true},
	}
	for _, test := range tests {
		if epoch, ok := c.epochForOffset(test.offset); epoch != test.wantEpoch || ok != test.wantOK {
			t.Errorf("epochForOffset(%d) = %d, %v", test.offset, epoch, ok)
		}
	}
	late := epochCacheOf(EpochEntry{3, 5})
	if _, ok := late.epochForOffset(4); ok {
		t.Errorf("epochForOffset below the first entry reported an epoch")
	}
}

func TestLogEpochAccessors(t *testing.T) {
	l := NewLog(unlimitedConfig(), 0)
	if _, ok := l.LatestEpoch(); ok {
		t.Errorf("empty log reported a latest epoch")
	}
	l.AssignEpochStartOffset(1, 0)
	l.AppendAsLeader(producerBatch(3, 0), 1, 0)
	l.AssignEpochStartOffset(2, 3)
	l.AssignEpochStartOffset(2, 3)
	l.AppendAsLeader(producerBatch(2, 0), 2, 0)
	if epoch, ok := l.LatestEpoch(); !ok || epoch != 2 {
		t.Errorf("LatestEpoch = %d, %v", epoch, ok)
	}
	tests := []struct {
		epoch      int32
		wantEpoch  int32
		wantOffset int64
	}{
		{2, 2, 5}, {1, 1, 3}, {0, 0, 0}, {3, UndefinedEpoch, UndefinedEpochOffset}, {UndefinedEpoch, UndefinedEpoch, UndefinedEpochOffset},
	}
	for _, test := range tests {
		if epoch, offset := l.EndOffsetForEpoch(test.epoch); epoch != test.wantEpoch || offset != test.wantOffset {
			t.Errorf("EndOffsetForEpoch(%d) = (%d, %d)", test.epoch, epoch, offset)
		}
	}
	if epoch, ok := l.EpochForOffset(4); !ok || epoch != 2 {
		t.Errorf("EpochForOffset(4) = %d, %v", epoch, ok)
	}
	mustBeValid(t, l)
}
