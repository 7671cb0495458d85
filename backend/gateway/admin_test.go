package gateway

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
)

func aclCreation(principal string, resourceType kmsg.ACLResourceType, name string, op kmsg.ACLOperation) kmsg.CreateACLsRequestCreation {
	c := kmsg.NewCreateACLsRequestCreation()
	c.Principal, c.Host, c.ResourceType, c.ResourceName = principal, "*", resourceType, name
	c.ResourcePatternType, c.Operation, c.PermissionType = kmsg.ACLResourcePatternTypeLiteral, op, kmsg.ACLPermissionTypeAllow
	return c
}

// createACLs creates bindings over the wire and fails the test on any
// error.
func createACLs(t *testing.T, ctx context.Context, cl *kgo.Client, creations ...kmsg.CreateACLsRequestCreation) {
	t.Helper()
	req := kmsg.NewPtrCreateACLsRequest()
	req.Creations = creations
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("CreateAcls: %v", err)
	}
	for i, r := range resp.Results {
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			t.Fatalf("CreateAcls %d: %v", i, err)
		}
	}
}

func saslClient(t *testing.T, g *Gateway, user string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts = append([]kgo.Opt{kgo.SeedBrokers(listenerSeeds(g, "SASL_PLAINTEXT")...),
		kgo.SASL(plain.Auth{User: user, Pass: user + "-secret"}.AsMechanism())}, opts...)
	return newClient(t, g, opts...)
}

func describeTopicConfig(t *testing.T, ctx context.Context, cl *kgo.Client, topic string, names ...string) kmsg.DescribeConfigsResponseResource {
	t.Helper()
	req := kmsg.NewPtrDescribeConfigsRequest()
	res := kmsg.NewDescribeConfigsRequestResource()
	res.ResourceType, res.ResourceName, res.ConfigNames = kmsg.ConfigResourceTypeTopic, topic, names
	req.Resources, req.IncludeSynonyms, req.IncludeDocumentation = append(req.Resources, res), true, true
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || len(resp.Resources) != 1 {
		t.Fatalf("DescribeConfigs: %v", err)
	}
	return resp.Resources[0]
}

func configNamed(res kmsg.DescribeConfigsResponseResource, name string) (kmsg.DescribeConfigsResponseResourceConfig, bool) {
	for _, c := range res.Configs {
		if c.Name == name {
			return c, true
		}
	}
	return kmsg.DescribeConfigsResponseResourceConfig{}, false
}

// TestAdminConfigs: DescribeConfigs shows a topic's min.insync.replicas
// as Kafka's default, then as the override IncrementalAlterConfigs set,
// with its source and synonyms; a broker's configs carry their read-only
// flags; DeleteTopics removes the topic from Metadata.
func TestAdminConfigs(t *testing.T) {
	g := startSecureGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin := saslClient(t, g, "admin")
	createTopic(t, ctx, admin, "settings", 2, 3)

	before := describeTopicConfig(t, ctx, admin, "settings")
	if before.ErrorCode != 0 || len(before.Configs) < 10 {
		t.Fatalf("describe: error %d, %d configs", before.ErrorCode, len(before.Configs))
	}
	minISR, ok := configNamed(before, "min.insync.replicas")
	if !ok || minISR.Value == nil || *minISR.Value != "1" || minISR.Source != kmsg.ConfigSourceDefaultConfig || minISR.ReadOnly {
		t.Fatalf("default min.insync.replicas: %+v", minISR)
	}
	if minISR.ConfigType != kmsg.ConfigTypeInt || minISR.Documentation == nil {
		t.Errorf("min.insync.replicas type %v, documentation %v", minISR.ConfigType, minISR.Documentation)
	}

	alter := kmsg.NewPtrIncrementalAlterConfigsRequest()
	res := kmsg.NewIncrementalAlterConfigsRequestResource()
	res.ResourceType, res.ResourceName = kmsg.ConfigResourceTypeTopic, "settings"
	change := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
	change.Name, change.Op, change.Value = "min.insync.replicas", kmsg.IncrementalAlterConfigOpSet, kmsg.StringPtr("2")
	res.Configs = append(res.Configs, change)
	alter.Resources = append(alter.Resources, res)
	altered, err := alter.RequestWith(ctx, admin)
	if err != nil || altered.Resources[0].ErrorCode != 0 {
		t.Fatalf("IncrementalAlterConfigs: %v %+v", err, altered)
	}
	var after kmsg.DescribeConfigsResponseResourceConfig
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		after, _ = configNamed(describeTopicConfig(t, ctx, admin, "settings", "min.insync.replicas"), "min.insync.replicas")
		if after.Value != nil && *after.Value == "2" || time.Now().After(deadline) {
			break
		}
	}
	if after.Value == nil || *after.Value != "2" || after.Source != kmsg.ConfigSourceDynamicTopicConfig {
		t.Fatalf("min.insync.replicas after the alteration: %+v", after)
	}
	if len(after.ConfigSynonyms) != 2 || after.ConfigSynonyms[0].Source != kmsg.ConfigSourceDynamicTopicConfig ||
		after.ConfigSynonyms[1].Name != "min.insync.replicas" || after.ConfigSynonyms[1].Source != kmsg.ConfigSourceDefaultConfig ||
		*after.ConfigSynonyms[1].Value != "1" {
		t.Errorf("synonyms %+v", after.ConfigSynonyms)
	}

	// A broker's own configs: static ones are read-only.
	req := kmsg.NewPtrDescribeConfigsRequest()
	broker := kmsg.NewDescribeConfigsRequestResource()
	broker.ResourceType, broker.ResourceName = kmsg.ConfigResourceTypeBroker, "2"
	req.Resources = append(req.Resources, broker)
	describeBroker := func() *kmsg.DescribeConfigsResponse {
		raw, err := admin.Broker(2).Request(ctx, req)
		if err != nil {
			t.Fatalf("DescribeConfigs at broker 2: %v", err)
		}
		return raw.(*kmsg.DescribeConfigsResponse)
	}
	resp := describeBroker()
	if resp.Resources[0].ErrorCode != 0 {
		t.Fatalf("DescribeConfigs broker 2: %+v", resp)
	}
	if c, ok := configNamed(resp.Resources[0], "replica.lag.time.max.ms"); !ok || !c.ReadOnly || *c.Value != "30000" {
		t.Errorf("replica.lag.time.max.ms: %+v", c)
	}
	if c, ok := configNamed(resp.Resources[0], "sasl.enabled.mechanisms"); !ok || c.Source != kmsg.ConfigSourceStaticBrokerConfig || c.ReadOnly {
		t.Errorf("sasl.enabled.mechanisms: %+v", c)
	}
	// Another broker's id is refused by this one.
	broker.ResourceName = "3"
	req.Resources[0] = broker
	if resp := describeBroker(); resp.Resources[0].ErrorCode != int16(kerr.InvalidRequest.Code) {
		t.Errorf("broker 3 asked of broker 2: %+v", resp)
	}

	del := kmsg.NewPtrDeleteTopicsRequest()
	del.TimeoutMillis = 10000
	for _, name := range []string{"settings", "missing"} {
		topic := kmsg.NewDeleteTopicsRequestTopic()
		topic.Topic = kmsg.StringPtr(name)
		del.Topics = append(del.Topics, topic)
	}
	deleted, err := del.RequestWith(ctx, admin)
	if err != nil || len(deleted.Topics) != 2 || deleted.Topics[0].ErrorCode != 0 ||
		deleted.Topics[1].ErrorCode != int16(kerr.UnknownTopicOrPartition.Code) {
		t.Fatalf("DeleteTopics: %v %+v", err, deleted)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		m, err := metadata(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Topics) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("topics after DeleteTopics: %d", len(m.Topics))
		}
	}
}

func describeACLs(t *testing.T, ctx context.Context, cl *kgo.Client) []kmsg.DescribeACLsResponseResource {
	t.Helper()
	req := kmsg.NewPtrDescribeACLsRequest()
	req.ResourceType, req.ResourcePatternType = kmsg.ACLResourceTypeAny, kmsg.ACLResourcePatternTypeAny
	req.Operation, req.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || resp.ErrorCode != 0 {
		t.Fatalf("DescribeAcls: %v %+v", err, resp)
	}
	return resp.Resources
}

// TestAdminACLs: DescribeAcls lists what CreateAcls made, grouped by
// resource, and DeleteAcls removes what its filter matches and lists it;
// a user who is not allowed to ALTER the cluster may not create ACLs.
func TestAdminACLs(t *testing.T) {
	g := startSecureGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin := saslClient(t, g, "admin")
	createACLs(t, ctx, admin, aclCreation("User:alice", kmsg.ACLResourceTypeTopic, "orders", kmsg.ACLOperationWrite),
		aclCreation("User:alice", kmsg.ACLResourceTypeTopic, "orders", kmsg.ACLOperationRead),
		aclCreation("User:bob", kmsg.ACLResourceTypeGroup, "billing", kmsg.ACLOperationRead))
	var listed []kmsg.DescribeACLsResponseResource
	for deadline := time.Now().Add(10 * time.Second); len(listed) < 2 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		listed = describeACLs(t, ctx, admin)
	}
	if len(listed) != 2 || listed[0].ResourceName != "orders" || len(listed[0].ACLs) != 2 || listed[1].ResourceName != "billing" {
		t.Fatalf("listed %+v", listed)
	}

	del := kmsg.NewPtrDeleteACLsRequest()
	filter := kmsg.NewDeleteACLsRequestFilter()
	filter.ResourceType, filter.ResourceName = kmsg.ACLResourceTypeTopic, kmsg.StringPtr("orders")
	filter.ResourcePatternType, filter.Principal = kmsg.ACLResourcePatternTypeMatch, kmsg.StringPtr("User:alice")
	filter.Operation, filter.PermissionType = kmsg.ACLOperationWrite, kmsg.ACLPermissionTypeAny
	del.Filters = append(del.Filters, filter)
	deleted, err := del.RequestWith(ctx, admin)
	if err != nil || len(deleted.Results) != 1 || deleted.Results[0].ErrorCode != 0 || len(deleted.Results[0].MatchingACLs) != 1 ||
		deleted.Results[0].MatchingACLs[0].Operation != kmsg.ACLOperationWrite {
		t.Fatalf("DeleteAcls: %v %+v", err, deleted)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if listed = describeACLs(t, ctx, admin); len(listed) == 2 && len(listed[0].ACLs) == 1 {
			break
		}
	}
	if len(listed) != 2 || len(listed[0].ACLs) != 1 || listed[0].ACLs[0].Operation != kmsg.ACLOperationRead {
		t.Fatalf("after DeleteAcls: %+v", listed)
	}

	alice := saslClient(t, g, "alice")
	req := kmsg.NewPtrCreateACLsRequest()
	req.Creations = append(req.Creations, aclCreation("User:alice", kmsg.ACLResourceTypeCluster, "kafka-cluster", kmsg.ACLOperationAll))
	resp, err := req.RequestWith(ctx, alice)
	if err != nil || resp.Results[0].ErrorCode != int16(kerr.ClusterAuthorizationFailed.Code) {
		t.Errorf("alice creating ACLs: %v %+v", err, resp)
	}
	describe := kmsg.NewPtrDescribeACLsRequest()
	describe.ResourceType, describe.ResourcePatternType = kmsg.ACLResourceTypeAny, kmsg.ACLResourcePatternTypeAny
	describe.Operation, describe.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
	if resp, err := describe.RequestWith(ctx, alice); err != nil || resp.ErrorCode != int16(kerr.ClusterAuthorizationFailed.Code) {
		t.Errorf("alice describing ACLs: %v %+v", err, resp)
	}
}

// TestACLsEnforced: alice may see the topic but not write to it, so her
// produce gets TOPIC_AUTHORIZATION_FAILED; once the admin grants WRITE
// over the wire, the same produce succeeds.
func TestACLsEnforced(t *testing.T) {
	g := startSecureGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin := saslClient(t, g, "admin")
	createTopic(t, ctx, admin, "orders", 1, 3)
	createACLs(t, ctx, admin, aclCreation("User:alice", kmsg.ACLResourceTypeTopic, "orders", kmsg.ACLOperationDescribe))
	alice := saslClient(t, g, "alice", kgo.DisableIdempotentWrite(), kgo.RecordRetries(0))
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		err = alice.ProduceSync(ctx, &kgo.Record{Topic: "orders", Value: []byte("refused")}).FirstErr()
		if errors.Is(err, kerr.TopicAuthorizationFailed) || err == nil {
			break
		}
	}
	if !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Fatalf("produce without WRITE: %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
	createACLs(t, ctx, admin, aclCreation("User:alice", kmsg.ACLResourceTypeTopic, "orders", kmsg.ACLOperationWrite))
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = alice.ProduceSync(ctx, &kgo.Record{Topic: "orders", Value: []byte("allowed")}).FirstErr(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("produce after CreateAcls: %v", err)
	}
}

// TestDescribeCluster: DescribeCluster lists the brokers at the gateway's
// addresses of the listener asked through, with the cluster id Metadata
// gives and a controller among them; asked for, the cluster operations
// of a super user are all of them and an ordinary user's none.
func TestDescribeCluster(t *testing.T) {
	g := startSecureGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin := saslClient(t, g, "admin")
	req := kmsg.NewPtrDescribeClusterRequest()
	req.IncludeClusterAuthorizedOperations = true
	resp, err := req.RequestWith(ctx, admin)
	if err != nil || resp.ErrorCode != 0 {
		t.Fatalf("DescribeCluster: %v %+v", err, resp)
	}
	m, err := metadata(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ClusterID != *m.ClusterID || len(resp.Brokers) != 3 {
		t.Errorf("cluster %q (metadata %q), %d brokers", resp.ClusterID, *m.ClusterID, len(resp.Brokers))
	}
	addresses := g.ListenerAddresses("SASL_PLAINTEXT")
	controllerListed := false
	for _, b := range resp.Brokers {
		if got := net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port))); got != addresses[b.NodeID] {
			t.Errorf("broker %d at %s, want %s", b.NodeID, got, addresses[b.NodeID])
		}
		controllerListed = controllerListed || b.NodeID == resp.ControllerID
	}
	if !controllerListed {
		t.Errorf("controller %d is not a listed broker", resp.ControllerID)
	}
	const allClusterOperations = 1<<5 | 1<<7 | 1<<8 | 1<<9 | 1<<10 | 1<<11 | 1<<12
	if resp.ClusterAuthorizedOperations != allClusterOperations {
		t.Errorf("super user's cluster operations %b", resp.ClusterAuthorizedOperations)
	}
	alice := saslClient(t, g, "alice")
	if resp, err := req.RequestWith(ctx, alice); err != nil || resp.ClusterAuthorizedOperations != 0 || len(resp.Brokers) != 3 {
		t.Errorf("alice: %v %+v", err, resp)
	}
	req.EndpointType = 2
	if resp, err := req.RequestWith(ctx, admin); err != nil || resp.ErrorCode != int16(kerr.MismatchedEndpointType.Code) {
		t.Errorf("controller endpoints of a broker: %v %+v", err, resp)
	}
}
