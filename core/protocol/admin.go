package protocol

// AdminRequest is a request served by the controller: brokers forward it
// there (KRaft) or serve it as the controller broker (ZooKeeper mode).
// Forwarding only needs to rewrite its correlation id and, when it cannot
// be served, to answer with one error for everything it asked.
type AdminRequest interface {
	Correlation() int32
	WithCorrelation(id int32) AdminRequest
	// Failed is the response that answers every part with code.
	Failed(code ErrorCode) AdminResponse
}

// AdminResponse answers an AdminRequest.
type AdminResponse interface {
	Correlation() int32
	WithCorrelation(id int32) AdminResponse
	// FirstError is the request-level error, else the first part's.
	FirstError() ErrorCode
}

// Correlation implements AdminRequest.
func (m *CreateTopicsRequest) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminRequest.
func (m *CreateTopicsRequest) WithCorrelation(id int32) AdminRequest {
	c := *m
	c.CorrelationID = id
	return &c
}

// Failed implements AdminRequest.
func (m *CreateTopicsRequest) Failed(code ErrorCode) AdminResponse {
	resp := &CreateTopicsResponse{CorrelationID: m.CorrelationID}
	for _, t := range m.Topics {
		resp.Topics = append(resp.Topics, CreateTopicResult{Name: t.Name, Error: code})
	}
	return resp
}

// Correlation implements AdminResponse.
func (m *CreateTopicsResponse) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminResponse.
func (m *CreateTopicsResponse) WithCorrelation(id int32) AdminResponse {
	c := *m
	c.CorrelationID = id
	return &c
}

// FirstError implements AdminResponse.
func (m *CreateTopicsResponse) FirstError() ErrorCode {
	if len(m.Topics) == 0 {
		return None
	}
	return m.Topics[0].Error
}

// Correlation implements AdminRequest.
func (m *DeleteTopicsRequest) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminRequest.
func (m *DeleteTopicsRequest) WithCorrelation(id int32) AdminRequest {
	c := *m
	c.CorrelationID = id
	return &c
}

// Failed implements AdminRequest.
func (m *DeleteTopicsRequest) Failed(code ErrorCode) AdminResponse {
	resp := &DeleteTopicsResponse{CorrelationID: m.CorrelationID}
	for _, t := range m.Topics {
		resp.Topics = append(resp.Topics, DeleteTopicResult{Name: t, Error: code})
	}
	return resp
}

// Correlation implements AdminResponse.
func (m *DeleteTopicsResponse) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminResponse.
func (m *DeleteTopicsResponse) WithCorrelation(id int32) AdminResponse {
	c := *m
	c.CorrelationID = id
	return &c
}

// FirstError implements AdminResponse.
func (m *DeleteTopicsResponse) FirstError() ErrorCode {
	if len(m.Topics) == 0 {
		return None
	}
	return m.Topics[0].Error
}

// Correlation implements AdminRequest.
func (m *CreatePartitionsRequest) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminRequest.
func (m *CreatePartitionsRequest) WithCorrelation(id int32) AdminRequest {
	c := *m
	c.CorrelationID = id
	return &c
}

// Failed implements AdminRequest.
func (m *CreatePartitionsRequest) Failed(code ErrorCode) AdminResponse {
	resp := &CreatePartitionsResponse{CorrelationID: m.CorrelationID}
	for _, t := range m.Topics {
		resp.Results = append(resp.Results, CreatePartitionsResult{Name: t.Name, Error: code})
	}
	return resp
}

// Correlation implements AdminResponse.
func (m *CreatePartitionsResponse) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminResponse.
func (m *CreatePartitionsResponse) WithCorrelation(id int32) AdminResponse {
	c := *m
	c.CorrelationID = id
	return &c
}

// FirstError implements AdminResponse.
func (m *CreatePartitionsResponse) FirstError() ErrorCode {
	if len(m.Results) == 0 {
		return None
	}
	return m.Results[0].Error
}

// Correlation implements AdminRequest.
func (m *IncrementalAlterConfigsRequest) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminRequest.
func (m *IncrementalAlterConfigsRequest) WithCorrelation(id int32) AdminRequest {
	c := *m
	c.CorrelationID = id
	return &c
}

// Failed implements AdminRequest.
func (m *IncrementalAlterConfigsRequest) Failed(code ErrorCode) AdminResponse {
	resp := &IncrementalAlterConfigsResponse{CorrelationID: m.CorrelationID}
	for _, r := range m.Resources {
		resp.Resources = append(resp.Resources, AlterConfigsResult{ResourceType: r.ResourceType, ResourceName: r.ResourceName, Error: code})
	}
	return resp
}

// Correlation implements AdminResponse.
func (m *IncrementalAlterConfigsResponse) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminResponse.
func (m *IncrementalAlterConfigsResponse) WithCorrelation(id int32) AdminResponse {
	c := *m
	c.CorrelationID = id
	return &c
}

// FirstError implements AdminResponse.
func (m *IncrementalAlterConfigsResponse) FirstError() ErrorCode {
	if len(m.Resources) == 0 {
		return None
	}
	return m.Resources[0].Error
}

// Correlation implements AdminRequest.
func (m *ElectLeadersRequest) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminRequest.
func (m *ElectLeadersRequest) WithCorrelation(id int32) AdminRequest {
	c := *m
	c.CorrelationID = id
	return &c
}

// Failed implements AdminRequest.
func (m *ElectLeadersRequest) Failed(code ErrorCode) AdminResponse {
	return &ElectLeadersResponse{CorrelationID: m.CorrelationID, Error: code}
}

// Correlation implements AdminResponse.
func (m *ElectLeadersResponse) Correlation() int32 { return m.CorrelationID }

// WithCorrelation implements AdminResponse.
func (m *ElectLeadersResponse) WithCorrelation(id int32) AdminResponse {
	c := *m
	c.CorrelationID = id
	return &c
}

// FirstError implements AdminResponse.
func (m *ElectLeadersResponse) FirstError() ErrorCode { return m.Error }
