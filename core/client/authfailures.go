package client

// What clients do when the cluster refuses them: an authentication
// failure (the connection's SASL exchange failed) or an authorization
// error (the ACLs deny a request). Neither is retried by itself: the
// producer fails the sends it holds, the consumer's poll throws, as
// Kafka's clients throw AuthenticationException and
// TopicAuthorizationException / GroupAuthorizationException.

import (
	"fmt"

	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/sim"
)

// authorizationError reports whether code is an authorization error.
func authorizationError(code protocol.ErrorCode) bool {
	switch code {
	case protocol.TopicAuthorizationFailed, protocol.GroupAuthorizationFailed,
		protocol.TransactionalIDAuthorizationFailed, protocol.ClusterAuthorizationFailed:
		return true
	}
	return false
}

// authorizationMessage is the Java client's message for an authorization
// error about a resource.
func authorizationMessage(code protocol.ErrorCode, resource string) string {
	switch code {
	case protocol.TopicAuthorizationFailed:
		return fmt.Sprintf("Not authorized to access topics: [%s]", resource)
	case protocol.GroupAuthorizationFailed:
		return "Not authorized to access group: " + resource
	case protocol.TransactionalIDAuthorizationFailed:
		return "Transactional Id authorization failed."
	case protocol.ClusterAuthorizationFailed:
		return "Cluster authorization failed."
	}
	return code.String()
}

// onAuthenticationFailed fails what the producer holds: the requests that
// waited on the refused connection, and every send not yet acknowledged.
// Nothing retries by itself; the next send connects again.
func (p *Producer) onAuthenticationFailed(peer sim.NodeID, code protocol.ErrorCode, message string) {
	p.endRequestsTo(peer, func(b *producerBatch) { p.completeBatch(b, code, message, -1) })
	p.failUnsent(code, message)
	p.refused = true
	p.metadata.inFlight, p.metadata.needUpdate = 0, false
	if p.initPending {
		// InitProducerId waits for the next send.
		p.initToken++
		p.initStalled = true
	}
	if t := p.txn; t != nil && t.inFlight != 0 {
		p.txnFatal(code)
	}
}

// failTopic fails the sends waiting for a topic the producer may not
// describe or write.
func (p *Producer) failTopic(topic string, code protocol.ErrorCode) {
	message := authorizationMessage(code, topic)
	kept := p.pending[:0]
	for _, ps := range p.pending {
		if ps.result.Topic == topic {
			ps.result.Accepted = true
			p.finish(ps.result, code, message)
			continue
		}
		kept = append(kept, ps)
	}
	p.pending = kept
}

// onAuthenticationFailed makes the current poll, or the next one, fail
// with the error.
func (c *Consumer) onAuthenticationFailed(_ sim.NodeID, code protocol.ErrorCode, message string) {
	c.refused(code, message)
}

// refused reports an error the application sees: the poll in progress
// fails with it, or the next poll does.
func (c *Consumer) refused(code protocol.ErrorCode, message string) {
	if c.poll != nil {
		c.failPoll(code, message)
		return
	}
	c.pendingError = &PollResult{Error: code, Message: message}
}

// refusedAccess handles an authorization error of a response; it reports
// whether code was one.
func (c *Consumer) refusedAccess(code protocol.ErrorCode, resource string) bool {
	if !authorizationError(code) {
		return false
	}
	c.refused(code, authorizationMessage(code, resource))
	return true
}
