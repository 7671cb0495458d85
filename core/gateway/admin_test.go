package gateway

import (
	"reflect"
	"testing"

	"github.com/kafka-playground/playground/core"
	"github.com/kafka-playground/playground/core/client"
	"github.com/kafka-playground/playground/core/protocol"
	"github.com/kafka-playground/playground/core/security"
)

func bootedWith(t *testing.T, brokers int, cfg map[string]string) *core.Cluster {
	t.Helper()
	c, err := core.New(core.Spec{Seed: 3, Brokers: brokers, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	c.Boot()
	return c
}

func wait(t *testing.T, c *core.Cluster, f *client.Future) {
	t.Helper()
	if !c.Wait(f, 10000) || f.Error != protocol.None {
		t.Fatalf("admin call: %s %s", f.Error, f.Message)
	}
}

// ask sends one request over a gateway connection and returns the
// broker's answer.
func ask(t *testing.T, c *core.Cluster, g *Gateway, id ConnID, correlation int32, req any) any {
	t.Helper()
	if err := g.Request(id, correlation, req, true); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		c.Advance(50)
		if ready := g.Ready(id); len(ready) == 1 {
			return ready[0].Message
		}
	}
	t.Fatalf("no answer to %T", req)
	return nil
}

func entryNamed(t *testing.T, r protocol.DescribeConfigsResult, name string) protocol.ConfigEntry {
	t.Helper()
	for _, e := range r.Configs {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no config %s among %d", name, len(r.Configs))
	return protocol.ConfigEntry{}
}

// TestDescribeConfigs: a topic's and a broker's configs come with
// Kafka's sources and synonyms, in ConfigHelper's order.
func TestDescribeConfigs(t *testing.T) {
	c := bootedWith(t, 2, map[string]string{"log.retention.hours": "24", "min.insync.replicas": "2"})
	wait(t, c, c.CreateTopic("orders", 1, 2, map[string]string{"min.insync.replicas": "1"}))
	wait(t, c, c.AlterBrokerConfig(0, map[string]string{"log.segment.bytes": "2097152"}))
	c.Advance(1000)
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	id, err := g.Connect(1, "test")
	if err != nil {
		t.Fatal(err)
	}
	resp := ask(t, c, g, id, 1, &protocol.DescribeConfigsRequest{CorrelationID: 1, IncludeSynonyms: true, Resources: []protocol.DescribeConfigsResource{
		{ResourceType: protocol.ResourceTopic, ResourceName: "orders"},
		{ResourceType: protocol.ResourceBroker, ResourceName: "1", Names: []string{"replica.lag.time.max.ms", "min.insync.replicas", "log.retention.hours"}},
		{ResourceType: protocol.ResourceBroker, ResourceName: ""},
		{ResourceType: protocol.ResourceBroker, ResourceName: "2"},
		{ResourceType: protocol.ResourceTopic, ResourceName: "missing"},
	}}).(*protocol.DescribeConfigsResponse)
	if len(resp.Results) != 5 {
		t.Fatalf("%d results", len(resp.Results))
	}
	topic := resp.Results[0]
	minISR := entryNamed(t, topic, "min.insync.replicas")
	want := []protocol.ConfigSynonym{{Name: "min.insync.replicas", Value: "1", Source: protocol.ConfigSourceTopic},
		{Name: "min.insync.replicas", Value: "2", Source: protocol.ConfigSourceStaticBroker},
		{Name: "min.insync.replicas", Value: "1", Source: protocol.ConfigSourceDefault}}
	if minISR.Value != "1" || minISR.Source != protocol.ConfigSourceTopic || minISR.ReadOnly || !reflect.DeepEqual(minISR.Synonyms, want) {
		t.Errorf("min.insync.replicas: %+v", minISR)
	}
	// retention.ms takes log.retention.hours, but its first synonym,
	// log.retention.ms, is set nowhere: Kafka then lists no synonym.
	if retention := entryNamed(t, topic, "retention.ms"); retention.Value != "86400000" || retention.Source != protocol.ConfigSourceDefault || len(retention.Synonyms) != 0 {
		t.Errorf("retention.ms: %+v", retention)
	}
	segment := entryNamed(t, topic, "segment.bytes")
	if segment.Value != "2097152" || segment.Source != protocol.ConfigSourceDynamicDefaultBroker || len(segment.Synonyms) != 2 ||
		segment.Synonyms[1] != (protocol.ConfigSynonym{Name: "log.segment.bytes", Value: "1073741824", Source: protocol.ConfigSourceDefault}) {
		t.Errorf("segment.bytes: %+v", segment)
	}

	broker := resp.Results[1]
	if len(broker.Configs) != 3 {
		t.Errorf("broker 1: %d configs for 3 names", len(broker.Configs))
	}
	if lag := entryNamed(t, broker, "replica.lag.time.max.ms"); !lag.ReadOnly || lag.Value != "30000" || lag.Source != protocol.ConfigSourceDefault ||
		lag.Type != protocol.ConfigTypeLong {
		t.Errorf("replica.lag.time.max.ms: %+v", lag)
	}
	if hours := entryNamed(t, broker, "log.retention.hours"); hours.Value != "24" || hours.Source != protocol.ConfigSourceStaticBroker {
		t.Errorf("log.retention.hours: %+v", hours)
	}
	if clusterWide := resp.Results[2]; len(clusterWide.Configs) != 1 || clusterWide.Configs[0].Name != "log.segment.bytes" ||
		clusterWide.Configs[0].Source != protocol.ConfigSourceDynamicDefaultBroker {
		t.Errorf("cluster-wide defaults: %+v", clusterWide)
	}
	if other := resp.Results[3]; other.Error != protocol.InvalidRequest {
		t.Errorf("broker 2 asked of broker 1: %+v", other)
	}
	if missing := resp.Results[4]; missing.Error != protocol.UnknownTopicOrPartition {
		t.Errorf("missing topic: %+v", missing)
	}
}

// TestAdminAuthorization: with the StandardAuthorizer, an anonymous
// client's admin requests are refused item by item, and once ACLs allow
// part of one, that part is done and the rest refused, in request order.
func TestAdminAuthorization(t *testing.T) {
	c := bootedWith(t, 1, map[string]string{"authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer"})
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	id, err := g.Connect(1, "test")
	if err != nil {
		t.Fatal(err)
	}
	create := &protocol.CreateTopicsRequest{CorrelationID: 1, TimeoutMs: 5000, Topics: []protocol.CreatableTopic{
		{Name: "allowed", NumPartitions: 1, ReplicationFactor: 1}, {Name: "refused", NumPartitions: 1, ReplicationFactor: 1}}}
	created := ask(t, c, g, id, 1, create).(*protocol.CreateTopicsResponse)
	if created.Topics[0].Error != protocol.TopicAuthorizationFailed || created.Topics[1].Error != protocol.TopicAuthorizationFailed {
		t.Fatalf("without ACLs: %+v", created.Topics)
	}
	acl := &protocol.CreateAclsRequest{CorrelationID: 2, Creations: []security.ACL{{Principal: "User:ANONYMOUS", Host: "*",
		ResourceType: security.ClusterResource, ResourceName: security.ClusterResourceName, PatternType: security.Literal,
		Operation: security.OpAll, Permission: security.Allow}}}
	if refused := ask(t, c, g, id, 2, acl).(*protocol.CreateAclsResponse); refused.Results[0].Error != protocol.ClusterAuthorizationFailed {
		t.Fatalf("creating ACLs without ALTER on the cluster: %+v", refused)
	}
	if refused := ask(t, c, g, id, 3, &protocol.DescribeAclsRequest{CorrelationID: 3}).(*protocol.DescribeAclsResponse); refused.Error != protocol.ClusterAuthorizationFailed {
		t.Fatalf("describing ACLs without DESCRIBE on the cluster: %+v", refused)
	}

	wait(t, c, c.CreateACL(security.ACL{Principal: "User:ANONYMOUS", Host: "*", ResourceType: security.TopicResource,
		ResourceName: "allowed", PatternType: security.Literal, Operation: security.OpCreate, Permission: security.Allow}))
	c.Advance(1000)
	create.CorrelationID = 4
	created = ask(t, c, g, id, 4, create).(*protocol.CreateTopicsResponse)
	if len(created.Topics) != 2 || created.Topics[0].Name != "allowed" || created.Topics[0].Error != protocol.None ||
		created.Topics[1].Name != "refused" || created.Topics[1].Error != protocol.TopicAuthorizationFailed {
		t.Fatalf("with CREATE on one topic: %+v", created.Topics)
	}
	c.Advance(1000)
	if c.State().Topics["allowed"].Partitions == nil || c.State().Topics["refused"].Partitions != nil {
		t.Errorf("topics after the partly allowed CreateTopics: %v", c.State().Topics)
	}
	deleted := ask(t, c, g, id, 5, &protocol.DeleteTopicsRequest{CorrelationID: 5, Topics: []string{"allowed", "allowed"}}).(*protocol.DeleteTopicsResponse)
	if deleted.Topics[0].Error != protocol.InvalidRequest || deleted.Topics[0].ErrorMessage != "Duplicate topic name." {
		t.Errorf("a duplicate name: %+v", deleted.Topics)
	}
	deleted = ask(t, c, g, id, 6, &protocol.DeleteTopicsRequest{CorrelationID: 6, Topics: []string{"allowed"}}).(*protocol.DeleteTopicsResponse)
	if deleted.Topics[0].Error != protocol.TopicAuthorizationFailed {
		t.Errorf("deleting without DESCRIBE and DELETE: %+v", deleted.Topics)
	}
}

// TestAclsSecurityDisabled: without an authorizer, a client's ACL
// requests are SECURITY_DISABLED, as Kafka answers them.
func TestAclsSecurityDisabled(t *testing.T) {
	c := bootedWith(t, 1, nil)
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	id, err := g.Connect(1, "test")
	if err != nil {
		t.Fatal(err)
	}
	acl := security.ACL{Principal: "User:alice", Host: "*", ResourceType: security.TopicResource, ResourceName: "t",
		PatternType: security.Literal, Operation: security.OpRead, Permission: security.Allow}
	if resp := ask(t, c, g, id, 1, &protocol.CreateAclsRequest{CorrelationID: 1, Creations: []security.ACL{acl}}).(*protocol.CreateAclsResponse); resp.Results[0].Error != protocol.SecurityDisabled {
		t.Errorf("CreateAcls: %+v", resp)
	}
	if resp := ask(t, c, g, id, 2, &protocol.DescribeAclsRequest{CorrelationID: 2}).(*protocol.DescribeAclsResponse); resp.Error != protocol.SecurityDisabled {
		t.Errorf("DescribeAcls: %+v", resp)
	}
}

// TestDescribeClusterFenced: a killed broker is fenced once its session
// expires; DescribeCluster leaves it out, or lists it as fenced when
// asked to (version 2).
func TestDescribeClusterFenced(t *testing.T) {
	c := bootedWith(t, 3, nil)
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.KillBroker(3); err != nil {
		t.Fatal(err)
	}
	c.Advance(15000)
	id, err := g.Connect(1, "test")
	if err != nil {
		t.Fatal(err)
	}
	alive := ask(t, c, g, id, 1, &protocol.DescribeClusterRequest{CorrelationID: 1, EndpointType: protocol.EndpointTypeBroker}).(*protocol.DescribeClusterResponse)
	if len(alive.Brokers) != 2 || alive.ControllerID < 1 || alive.ControllerID > 2 || alive.ClusterID == "" ||
		alive.ClusterAuthorizedOperations != protocol.ClusterAuthorizedOperationsOmitted {
		t.Errorf("alive brokers: %+v", alive)
	}
	all := ask(t, c, g, id, 2, &protocol.DescribeClusterRequest{CorrelationID: 2, EndpointType: protocol.EndpointTypeBroker,
		IncludeFencedBrokers: true}).(*protocol.DescribeClusterResponse)
	if len(all.Brokers) != 3 || !all.Brokers[2].Fenced || all.Brokers[0].Fenced {
		t.Errorf("with fenced brokers: %+v", all.Brokers)
	}
	if odd := ask(t, c, g, id, 3, &protocol.DescribeClusterRequest{CorrelationID: 3, EndpointType: 9}).(*protocol.DescribeClusterResponse); odd.Error != protocol.UnsupportedEndpointType {
		t.Errorf("endpoint type 9: %+v", odd)
	}
}

// coordinatedGroup boots a one-broker cluster with a gateway and one
// connection, and asks it for group's coordinator until the broker has
// one.
func coordinatedGroup(t *testing.T, group string) (*core.Cluster, *Gateway, ConnID) {
	t.Helper()
	c := bootedWith(t, 1, nil)
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := g.Connect(1, "127.0.0.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	for {
		found := ask(t, c, g, admin, 1, &protocol.FindCoordinatorRequest{CorrelationID: 1, Key: group}).(*protocol.FindCoordinatorResponse)
		if found.Error == protocol.None {
			return c, g, admin
		}
	}
}
