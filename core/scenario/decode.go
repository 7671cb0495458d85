// Package scenario reads, checks and writes playground scenarios: the JSON
// files (and share links) that drive a simulated cluster step by step. The
// format is specified in SCENARIO.md; this package adds the extensions noted
// on each field.
//
// Decode is strict: an unknown field or op, a value of the wrong JSON type, a
// missing required field, a value outside its limit (see limits.go) or a step
// that refers to a client or node nobody created is an *Error naming the file,
// the step, the op and the field. Encode writes the canonical form back, so
// that Decode(Encode(s)) equals s.
package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/security"
)

// Version is the scenario format version this package reads and writes.
const Version = 1

// Metadata modes of a cluster.
const (
	// MetadataKRaft is a cluster whose metadata lives in a KRaft controller
	// quorum; it is the default.
	MetadataKRaft = "kraft"
	// MetadataZooKeeper is a cluster whose metadata lives in a ZooKeeper
	// ensemble, with one broker elected controller.
	MetadataZooKeeper = "zookeeper"
)

// Defaults applied by Decode to fields a file leaves out, and by the accessor
// methods of Step.
const (
	// DefaultSeed is the seed of a scenario that gives none.
	DefaultSeed = 1
	// DefaultBrokers is the broker count of a cluster that gives none.
	DefaultBrokers = 3
	// DefaultControllers is the KRaft controller quorum size.
	DefaultControllers = 3
	// DefaultZooKeepers is the ZooKeeper ensemble size.
	DefaultZooKeepers = 3
	// DefaultLatencyMs is the one-way latency between two nodes.
	DefaultLatencyMs = 1
	// DefaultRecordCount is the count of a produce step that gives none.
	DefaultRecordCount = 1
	// DefaultPollTimeoutMs is the timeout of a poll step that gives none.
	DefaultPollTimeoutMs = 1000
	// DefaultACLHost is the host of an ACL that gives none: every host.
	DefaultACLHost = "*"
)

// AdminClientID is the node name of the playground's own admin client, which
// sends create_topic, alter_config, ACL and election requests. It may be
// named in partition_network and delay_node, and no producer or consumer may
// take it.
const AdminClientID = "admin"

// Scenario is one decoded scenario file: a cluster shape, a seed and the
// steps to run against it. Decode fills in every default, so a runner reads
// the values as they are.
type Scenario struct {
	// Version is the format version; only 1 exists.
	Version int `json:"version"`
	// Name is a short title shown with the scenario.
	Name string `json:"name,omitempty"`
	// Description is longer text shown beside the scenario.
	Description string `json:"description,omitempty"`
	// Seed seeds the cluster's one random number generator; 1 when absent.
	Seed uint64 `json:"seed"`
	// Cluster is the shape of the cluster the steps run against.
	Cluster Cluster `json:"cluster"`
	// Steps are run in order.
	Steps []Step `json:"steps"`
}

// Cluster is the shape of the simulated cluster and its broker configuration.
type Cluster struct {
	// Brokers is the number of brokers, numbered 1..Brokers; 3 when absent.
	Brokers int `json:"brokers"`
	// Metadata is MetadataKRaft (the default) or MetadataZooKeeper.
	Metadata string `json:"metadata"`
	// Controllers is the KRaft controller quorum size (an extension): 3 when
	// absent in KRaft mode, always 0 in ZooKeeper mode.
	Controllers int `json:"controllers,omitempty"`
	// ZooKeepers is the ZooKeeper ensemble size (an extension): 3 when absent
	// in ZooKeeper mode, always 0 in KRaft mode.
	ZooKeepers int `json:"zookeepers,omitempty"`
	// LatencyMs is the one-way network latency between any two nodes (an
	// extension); 1 when absent, and 0 is allowed.
	LatencyMs int64 `json:"latency_ms,omitempty"`
	// Config holds broker configuration with Kafka's own keys, applied to
	// every broker; nil when empty. Keys are not checked here.
	Config map[string]string `json:"config,omitempty"`
}

// Header is one record header of a produce step.
type Header struct {
	// Key is the header key.
	Key string `json:"key"`
	// Value is the header value.
	Value string `json:"value"`
}

// Step is one op of a scenario. Only the fields of its op are set; the table
// of ops (Ops, and SCENARIO.md) says which. Optional fields whose zero value
// would be a valid, different value are pointers, nil when absent; the others
// are plain and hold their zero value when absent.
//
// The JSON tags name each field's key in the scenario format, but only Encode
// and Decode write and read that format faithfully (headers, for one, are a
// JSON object there).
type Step struct {
	// Op names what the step does: one of the Op constants.
	Op string `json:"op"`
	// AtMs is the virtual time at which the step runs (time advances to it
	// first); nil to run right after the previous step.
	AtMs *int64 `json:"at_ms,omitempty"`
	// Async starts the op without waiting for it to finish (an extension: the
	// browser records actions this way).
	Async bool `json:"async,omitempty"`
	// Note is free text shown beside the step (an extension).
	Note string `json:"note,omitempty"`

	// Topic is the topic of create_topic, delete_topic, alter_config, produce
	// and elect_leaders.
	Topic string `json:"topic,omitempty"`
	// Partitions is the partition count of create_topic and the new total
	// of create_partitions.
	Partitions int `json:"partitions,omitempty"`
	// ReplicationFactor is the replication factor of create_topic.
	ReplicationFactor int `json:"replication_factor,omitempty"`
	// Config is the configuration of create_topic, alter_config, add_producer
	// and add_consumer, with Kafka's own keys; nil when empty.
	Config map[string]string `json:"config,omitempty"`
	// Broker is the broker id (1..brokers) of alter_config, stop_broker,
	// kill_broker and start_broker; 0 when absent.
	Broker int `json:"broker,omitempty"`
	// ID is the client id that add_producer and add_consumer create.
	ID string `json:"id,omitempty"`
	// Producer is the producer id a producer op acts on.
	Producer string `json:"producer,omitempty"`
	// Consumer is the consumer id of poll, commit and
	// send_offsets_to_transaction.
	Consumer string `json:"consumer,omitempty"`
	// Client is the producer or consumer id of close and crash.
	Client string `json:"client,omitempty"`
	// Key is the key template of produce ("{i}" becomes the record's index);
	// nil for a null key.
	Key *string `json:"key,omitempty"`
	// Value is the value template of produce; nil for a null value.
	Value *string `json:"value"`
	// Partition is the partition of produce (nil lets the partitioner choose)
	// and of elect_leaders (nil elects every partition of the topic).
	Partition *int `json:"partition,omitempty"`
	// Headers are the record headers of produce, sorted by key; nil when none.
	Headers []Header `json:"headers,omitempty"`
	// Count is the number of records of produce; 0 when absent, which means
	// 1 (see RecordCount).
	Count int `json:"count,omitempty"`
	// Group is the consumer group add_consumer joins; empty for none.
	Group string `json:"group,omitempty"`
	// Topics are the topics add_consumer subscribes to, in the given order.
	Topics []string `json:"topics,omitempty"`
	// MaxRecords bounds the records one poll returns; 0 when absent, which
	// leaves the consumer's max.poll.records in charge.
	MaxRecords int `json:"max_records,omitempty"`
	// TimeoutMs is the timeout of poll; nil means 1000 (see PollTimeoutMs).
	TimeoutMs *int64 `json:"timeout_ms,omitempty"`
	// Groups are the node groups of partition_network: nodes in different
	// groups cannot reach each other.
	Groups [][]string `json:"groups,omitempty"`
	// Node is the node name of delay_node.
	Node string `json:"node,omitempty"`
	// Ms is the duration of advance, or the added latency of delay_node.
	Ms int64 `json:"ms,omitempty"`
	// User is the SASL user name of add_user.
	User string `json:"user,omitempty"`
	// Password is the SASL password of add_user.
	Password string `json:"password,omitempty"`
	// Credential is, in place of Password, the user's credential as a
	// broker stores it, salted and hashed, in Kafka's text form
	// (salt=…,stored_key=…,server_key=…,iterations=N; base64): a room
	// with a Kafka gateway journals its users so, never their passwords.
	Credential string `json:"credential,omitempty"`
	// Mechanism is the SASL mechanism of add_user: PLAIN, SCRAM-SHA-256 or
	// SCRAM-SHA-512.
	Mechanism string `json:"mechanism,omitempty"`
	// Principal is the ACL principal, such as "User:alice".
	Principal string `json:"principal,omitempty"`
	// ResourceType is the ACL resource type, such as TOPIC or GROUP.
	ResourceType string `json:"resource_type,omitempty"`
	// ResourceName is the ACL resource name.
	ResourceName string `json:"resource_name,omitempty"`
	// PatternType is the ACL pattern type, LITERAL or PREFIXED.
	PatternType string `json:"pattern_type,omitempty"`
	// Operation is the ACL operation, such as READ or WRITE.
	Operation string `json:"operation,omitempty"`
	// Permission is the ACL permission, ALLOW or DENY.
	Permission string `json:"permission,omitempty"`
	// Host is the ACL host; empty when absent, which means "*" (see ACLHost).
	Host string `json:"host,omitempty"`
	// Path is the dot-separated path into the state document that expect
	// checks (see Lookup).
	Path string `json:"path,omitempty"`
	// Equals is the JSON value expect wants at Path, compacted; it may be
	// the JSON null.
	Equals json.RawMessage `json:"equals,omitempty"`
}

// RecordCount returns the number of records a produce step sends.
func (s *Step) RecordCount() int {
	if s.Count == 0 {
		return DefaultRecordCount
	}
	return s.Count
}

// PollTimeoutMs returns the virtual time a poll step waits for records.
func (s *Step) PollTimeoutMs() int64 {
	if s.TimeoutMs == nil {
		return DefaultPollTimeoutMs
	}
	return *s.TimeoutMs
}

// ACLHost returns the host of a create_acl or delete_acl step.
func (s *Step) ACLHost() string {
	if s.Host == "" {
		return DefaultACLHost
	}
	return s.Host
}

// ExpectedValue decodes Equals as json.Unmarshal would into an any, with
// numbers kept as json.Number so that Equal compares them exactly.
func (s *Step) ExpectedValue() (any, error) {
	decoder := json.NewDecoder(bytes.NewReader(s.Equals))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		return nil, fmt.Errorf("equals: %w", err)
	}
	return value, nil
}

// New returns an empty scenario with every default filled in, as Decode
// would return it for {"version": 1, "steps": []}.
func New() *Scenario {
	return &Scenario{
		Version: Version,
		Seed:    DefaultSeed,
		Cluster: Cluster{
			Brokers:     DefaultBrokers,
			Metadata:    MetadataKRaft,
			Controllers: DefaultControllers,
			LatencyMs:   DefaultLatencyMs,
		},
	}
}

// Error is a reason a scenario file is not valid, precise enough to find the
// spot: it prints as `orders.json: step 4 (produce): field "kee": unknown
// field (did you mean "key"?)` or `orders.json: cluster.brokers: 0 is out of
// range 1..16`.
type Error struct {
	// File is the file name given to Decode; empty when none was given.
	File string
	// Step is the 0-based index of the step at fault (the same index the run
	// output uses), or -1 when the fault is not inside a step.
	Step int
	// Op is the op of that step, when known.
	Op string
	// Field is the field at fault: a step field's name inside a step, a
	// dotted path such as "cluster.brokers" outside; empty for the document.
	Field string
	// Message says what is wrong, in a sentence without a final period.
	Message string
	// Line and Column locate the fault in the file, both from 1; 0 when
	// unknown. Column counts bytes.
	Line   int
	Column int
}

// Error formats the error as a single line beginning with the file name.
func (e *Error) Error() string {
	var text strings.Builder
	if e.File != "" {
		text.WriteString(e.File)
		text.WriteString(": ")
	}
	if e.Step >= 0 {
		fmt.Fprintf(&text, "step %d", e.Step)
		if e.Op != "" {
			fmt.Fprintf(&text, " (%s)", e.Op)
		}
		text.WriteString(": ")
		if e.Field != "" {
			fmt.Fprintf(&text, "field %q: ", e.Field)
		}
	} else if e.Field != "" {
		text.WriteString(e.Field)
		text.WriteString(": ")
	}
	text.WriteString(e.Message)
	return text.String()
}

// Decode reads and checks one scenario file. file names it in errors (it may
// be empty); data is its content. Every error is an *Error.
func Decode(file string, data []byte) (*Scenario, error) {
	if len(data) > MaxScenarioBytes {
		return nil, &Error{File: file, Step: -1,
			Message: fmt.Sprintf("the file is %d bytes, more than the limit of %d bytes (4 MiB)", len(data), MaxScenarioBytes)}
	}
	reader := &documentReader{file: file, data: data}
	scenario, problem := reader.decodeDocument()
	if problem != nil {
		return nil, reader.locate(problem)
	}
	return scenario, nil
}

// problem is an *Error under construction: offset is the byte offset of the
// fault in the file, or -1, turned into Line and Column at the end.
type problem struct {
	Error
	offset int64
}

// documentReader holds the file being decoded and what earlier steps
// established, which later steps are checked against.
type documentReader struct {
	file     string
	data     []byte
	scenario *Scenario
	// clients maps every client id added so far to the step that added it.
	clients map[string]clientEntry
	// clientIDs lists the same ids in the order they were added.
	clientIDs []string
	// eavesdroppers maps eavesdropper ids to the step that added them.
	eavesdroppers map[string]int
	topicsCreated int
	recordsTotal  int64
	timeline      timeline
}

// clientEntry is a client added by an earlier step.
type clientEntry struct {
	kind string // OpAddProducer's "producer" or OpAddConsumer's "consumer"
	step int
}

// locate turns a problem into the *Error Decode returns.
func (r *documentReader) locate(p *problem) *Error {
	result := p.Error
	result.File = r.file
	if p.offset >= 0 && p.offset <= int64(len(r.data)) {
		prefix := r.data[:p.offset]
		result.Line = bytes.Count(prefix, []byte("\n")) + 1
		result.Column = len(prefix) - (bytes.LastIndexByte(prefix, '\n') + 1) + 1
	}
	return &result
}

// documentFields are the top-level fields, in canonical order.
var documentFields = []string{"version", "name", "description", "seed", "cluster", "steps"}

// clusterFields are the fields of "cluster", in canonical order.
var clusterFields = []string{"brokers", "metadata", "controllers", "zookeepers", "latency_ms", "config"}

// decodeDocument checks the document's syntax and shape, then decodes it.
func (r *documentReader) decodeDocument() (*Scenario, *problem) {
	root, bad := r.readRoot()
	if bad != nil {
		return nil, bad
	}
	members, bad := r.objectMembers(root, "", -1, "")
	if bad != nil {
		return nil, bad
	}
	version, found := findMember(members, "version")
	if !found {
		return nil, r.fail(root.offset, -1, "", "version", "missing required field (this playground reads version %d)", Version)
	}
	if bad := r.decodeVersion(version); bad != nil {
		return nil, bad
	}
	if bad := r.checkNames(members, documentFields, -1, "", ""); bad != nil {
		return nil, bad
	}
	r.scenario = &Scenario{Version: Version, Seed: DefaultSeed}
	r.clients = map[string]clientEntry{}
	for _, name := range documentFields[1:] {
		member, found := findMember(members, name)
		if name == "cluster" {
			// An absent cluster is the default cluster.
			if bad := r.decodeCluster(member, found); bad != nil {
				return nil, bad
			}
			continue
		}
		if !found {
			if name == "steps" {
				return nil, r.fail(root.offset, -1, "", name, "missing required field (use [] for a scenario without steps)")
			}
			continue
		}
		if bad := r.decodeDocumentField(member); bad != nil {
			return nil, bad
		}
	}
	return r.scenario, nil
}

// readRoot parses the whole file and returns its one top-level value, which
// must be an object followed by nothing but white space.
func (r *documentReader) readRoot() (value, *problem) {
	start := int64(0)
	if bytes.HasPrefix(r.data, []byte("\xef\xbb\xbf")) {
		start = 3 // a UTF-8 byte order mark, as some editors write
	}
	body := r.data[start:]
	if len(bytes.TrimSpace(body)) == 0 {
		return value{}, r.fail(-1, -1, "", "", "the file is empty; a scenario is a JSON object such as {\"version\": 1, \"steps\": []}")
	}
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	var raw json.RawMessage
	if err := decoder.Decode(&raw); err != nil {
		return value{}, r.syntaxProblem(err, start)
	}
	valueStart := start + skipSpace(body, 0)
	end := start + decoder.InputOffset()
	if rest := skipSpace(r.data, end); rest < int64(len(r.data)) {
		return value{}, r.fail(rest, -1, "", "", "unexpected data after the end of the document (line %s)", r.lineColumn(rest))
	}
	root := value{raw: raw, offset: valueStart}
	if kind := kindOf(raw); kind != kindObject {
		return value{}, r.fail(valueStart, -1, "", "", "a scenario is a JSON object, got %s", kind)
	}
	return root, nil
}

// syntaxProblem reports a JSON syntax error with its line and column.
func (r *documentReader) syntaxProblem(err error, start int64) *problem {
	var syntax *json.SyntaxError
	offset := int64(len(r.data))
	if errors.As(err, &syntax) {
		// Offset counts the bytes read, the offending one included.
		offset = start + max(syntax.Offset-1, 0)
	}
	message := strings.TrimPrefix(err.Error(), "json: ")
	if err.Error() == "unexpected EOF" {
		message = "unexpected end of file"
	}
	return r.fail(offset, -1, "", "", "invalid JSON at line %s: %s", r.lineColumn(offset), message)
}

// lineColumn formats a byte offset as "line, column N" for messages.
func (r *documentReader) lineColumn(offset int64) string {
	located := r.locate(&problem{offset: offset})
	return fmt.Sprintf("%d, column %d", located.Line, located.Column)
}

// fail builds a problem at offset for the given step (-1 for none), op and
// field.
func (r *documentReader) fail(offset int64, step int, op, field, format string, arguments ...any) *problem {
	return &problem{
		Error:  Error{Step: step, Op: op, Field: field, Message: fmt.Sprintf(format, arguments...)},
		offset: offset,
	}
}

// decodeVersion accepts version 1 only.
func (r *documentReader) decodeVersion(field member) *problem {
	if kindOf(field.raw) != kindNumber {
		return r.fail(field.offset, -1, "", "version", "must be a whole number, got %s", kindOf(field.raw))
	}
	number, err := strconv.ParseInt(string(field.raw), 10, 64)
	switch {
	case err != nil && strings.ContainsAny(string(field.raw), ".eE"):
		return r.fail(field.offset, -1, "", "version", "must be a whole number, got %s", shortText(field.raw))
	case err != nil || number > Version:
		return r.fail(field.offset, -1, "", "", "version %s is newer than this playground understands (%d)", shortText(field.raw), Version)
	case number < Version:
		return r.fail(field.offset, -1, "", "", "version %d does not exist; this playground understands version %d", number, Version)
	}
	return nil
}

// decodeDocumentField decodes one top-level field other than version and
// cluster.
func (r *documentReader) decodeDocumentField(field member) *problem {
	switch field.name {
	case "name":
		text, message := decodeText(field.raw, 0, MaxNameLength)
		if message != "" {
			return r.fail(field.offset, -1, "", "name", "%s", message)
		}
		r.scenario.Name = text
	case "description":
		text, message := decodeText(field.raw, 0, MaxDescriptionLength)
		if message != "" {
			return r.fail(field.offset, -1, "", "description", "%s", message)
		}
		r.scenario.Description = text
	case "seed":
		seed, message := decodeUnsigned(field.raw)
		if message != "" {
			return r.fail(field.offset, -1, "", "seed", "%s", message)
		}
		r.scenario.Seed = seed
	case "steps":
		return r.decodeSteps(field.value)
	}
	return nil
}

// decodeCluster decodes "cluster" (found false: absent) and fills defaults.
func (r *documentReader) decodeCluster(field member, found bool) *problem {
	cluster := &r.scenario.Cluster
	*cluster = Cluster{Brokers: DefaultBrokers, Metadata: MetadataKRaft, LatencyMs: DefaultLatencyMs}
	var members []member
	if found {
		if kindOf(field.raw) != kindObject {
			return r.fail(field.offset, -1, "", "cluster", "must be an object, got %s", kindOf(field.raw))
		}
		var bad *problem
		if members, bad = r.objectMembers(field.value, "cluster.", -1, ""); bad != nil {
			return bad
		}
		if bad := r.checkNames(members, clusterFields, -1, "", "cluster."); bad != nil {
			return bad
		}
	}
	if metadata, found := findMember(members, "metadata"); found {
		text, message := decodeEnumeration(metadata.raw, []string{MetadataKRaft, MetadataZooKeeper})
		if message != "" {
			return r.fail(metadata.offset, -1, "", "cluster.metadata", "%s", message)
		}
		cluster.Metadata = text
	}
	if cluster.Metadata == MetadataKRaft {
		cluster.Controllers = DefaultControllers
	} else {
		cluster.ZooKeepers = DefaultZooKeepers
	}
	for _, field := range members {
		if bad := r.decodeClusterField(field); bad != nil {
			return bad
		}
	}
	return nil
}

// decodeClusterField decodes one field of "cluster" other than metadata.
func (r *documentReader) decodeClusterField(field member) *problem {
	cluster := &r.scenario.Cluster
	path := "cluster." + field.name
	fail := func(format string, arguments ...any) *problem {
		return r.fail(field.offset, -1, "", path, format, arguments...)
	}
	var message string
	switch field.name {
	case "brokers":
		cluster.Brokers, message = decodeInt(field.raw, 1, MaxBrokers)
	case "controllers":
		if cluster.Metadata != MetadataKRaft {
			return fail("only a KRaft cluster has a controller quorum (metadata is %q)", cluster.Metadata)
		}
		cluster.Controllers, message = decodeInt(field.raw, 1, MaxControllers)
	case "zookeepers":
		if cluster.Metadata != MetadataZooKeeper {
			return fail("only a ZooKeeper-mode cluster has a ZooKeeper ensemble (metadata is %q)", cluster.Metadata)
		}
		cluster.ZooKeepers, message = decodeInt(field.raw, 1, MaxZooKeepers)
	case "latency_ms":
		cluster.LatencyMs, message = decodeInt64(field.raw, 0, MaxLatencyMs)
	case "config":
		var bad *problem
		cluster.Config, bad = r.decodeConfig(field, -1, "", path)
		return bad
	}
	if message != "" {
		return fail("%s", message)
	}
	return nil
}

// checkNames reports the first member, in document order, whose name is not
// among allowed or that appears twice. prefix is put before field names
// outside steps ("cluster.").
func (r *documentReader) checkNames(members []member, allowed []string, step int, op, prefix string) *problem {
	seen := map[string]bool{}
	for _, member := range members {
		if !slices.Contains(allowed, member.name) {
			return r.fail(member.nameOffset, step, op, prefix+member.name, "unknown field%s", suggestionSuffix(member.name, allowed, "; allowed: "+strings.Join(allowed, ", ")))
		}
		if seen[member.name] {
			return r.fail(member.nameOffset, step, op, prefix+member.name, "field appears twice")
		}
		seen[member.name] = true
	}
	return nil
}

// Encode writes s in the canonical scenario form: compact JSON, fields in a
// fixed order (the order of SCENARIO.md's table for step fields, then async
// and note), config maps sorted by key, optional fields left out when absent
// and cluster extensions left out when they hold their default. Encode checks
// its output with Decode, so a scenario Decode would refuse is an *Error here
// too, and Decode(Encode(s)) equals s for every s that Decode returned. Fields
// that a step's op does not take are not written.
func Encode(s *Scenario) ([]byte, error) {
	if s == nil {
		return nil, &Error{Step: -1, Message: "no scenario to encode"}
	}
	var output bytes.Buffer
	document := objectWriter{output: &output}
	document.open()
	document.field("version", s.Version)
	if s.Name != "" {
		document.field("name", s.Name)
	}
	if s.Description != "" {
		document.field("description", s.Description)
	}
	document.field("seed", s.Seed)
	document.name("cluster")
	encodeCluster(&output, &s.Cluster)
	document.name("steps")
	output.WriteByte('[')
	for index := range s.Steps {
		if index > 0 {
			output.WriteByte(',')
		}
		encodeStep(&output, &s.Steps[index])
	}
	output.WriteByte(']')
	document.close()
	if _, err := Decode("", output.Bytes()); err != nil {
		return nil, err
	}
	return output.Bytes(), nil
}

// encodeCluster writes the cluster object.
func encodeCluster(output *bytes.Buffer, cluster *Cluster) {
	writer := objectWriter{output: output}
	writer.open()
	writer.field("brokers", cluster.Brokers)
	writer.field("metadata", cluster.Metadata)
	defaultControllers, defaultZooKeepers := 0, 0
	if cluster.Metadata == MetadataKRaft {
		defaultControllers = DefaultControllers
	} else if cluster.Metadata == MetadataZooKeeper {
		defaultZooKeepers = DefaultZooKeepers
	}
	if cluster.Controllers != defaultControllers {
		writer.field("controllers", cluster.Controllers)
	}
	if cluster.ZooKeepers != defaultZooKeepers {
		writer.field("zookeepers", cluster.ZooKeepers)
	}
	if cluster.LatencyMs != DefaultLatencyMs {
		writer.field("latency_ms", cluster.LatencyMs)
	}
	if len(cluster.Config) > 0 {
		writer.field("config", cluster.Config)
	}
	writer.close()
}

// encodeStep writes one step: op, at_ms, the op's fields in table order,
// async and note.
func encodeStep(output *bytes.Buffer, step *Step) {
	writer := objectWriter{output: output}
	writer.open()
	writer.field("op", step.Op)
	if step.AtMs != nil {
		writer.field("at_ms", *step.AtMs)
	}
	if specification, known := findOp(step.Op); known {
		for _, rule := range specification.fields {
			if raw, present := encodeStepField(step, rule.name); raw != nil && (present || rule.required) {
				writer.name(rule.name)
				output.Write(raw)
			}
		}
	}
	if step.Async {
		writer.field("async", true)
	}
	if step.Note != "" {
		writer.field("note", step.Note)
	}
	writer.close()
}

// objectWriter writes one JSON object member by member.
type objectWriter struct {
	output  *bytes.Buffer
	members int
}

// open starts the object.
func (w *objectWriter) open() { w.output.WriteByte('{') }

// close ends the object.
func (w *objectWriter) close() { w.output.WriteByte('}') }

// name writes a member's name and colon; the caller writes the value.
func (w *objectWriter) name(name string) {
	if w.members > 0 {
		w.output.WriteByte(',')
	}
	w.members++
	w.output.Write(marshal(name))
	w.output.WriteByte(':')
}

// field writes a member whose value encoding/json can write.
func (w *objectWriter) field(name string, value any) {
	w.name(name)
	w.output.Write(marshal(value))
}

// marshal encodes a string, number, bool, string list or string map as
// compact JSON without HTML escaping (map keys sorted, as encoding/json
// does). These types cannot fail to encode.
func marshal(value any) []byte {
	var output bytes.Buffer
	encoder := json.NewEncoder(&output)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(value); err != nil {
		panic(fmt.Sprintf("scenario: cannot encode %T: %v", value, err))
	}
	return bytes.TrimSuffix(output.Bytes(), []byte("\n"))
}

// Ops of version 1 (SCENARIO.md) and the extensions.
const (
	// OpCreateTopic creates a topic (CreateTopics).
	OpCreateTopic = "create_topic"
	// OpDeleteTopic deletes a topic (DeleteTopics).
	OpDeleteTopic = "delete_topic"
	// OpCreatePartitions takes a topic to a larger partition count
	// (CreatePartitions; an extension).
	OpCreatePartitions = "create_partitions"
	// OpAlterConfig changes a topic's or a broker's configuration
	// (IncrementalAlterConfigs).
	OpAlterConfig = "alter_config"
	// OpAddProducer creates a producer client.
	OpAddProducer = "add_producer"
	// OpProduce sends records from a producer.
	OpProduce = "produce"
	// OpFlush waits until every outstanding send of a producer is done.
	OpFlush = "flush"
	// OpInitTransactions is the producer's initTransactions.
	OpInitTransactions = "init_transactions"
	// OpBeginTransaction is the producer's beginTransaction.
	OpBeginTransaction = "begin_transaction"
	// OpCommitTransaction is the producer's commitTransaction.
	OpCommitTransaction = "commit_transaction"
	// OpAbortTransaction is the producer's abortTransaction.
	OpAbortTransaction = "abort_transaction"
	// OpSendOffsetsToTransaction adds a consumer's positions to the
	// producer's open transaction.
	OpSendOffsetsToTransaction = "send_offsets_to_transaction"
	// OpAddConsumer creates a consumer client.
	OpAddConsumer = "add_consumer"
	// OpPoll is one poll of a consumer.
	OpPoll = "poll"
	// OpCommit is a consumer's commitSync of its current positions.
	OpCommit = "commit"
	// OpClose closes a client gracefully.
	OpClose = "close"
	// OpCrash kills a client process: no leave, no flush.
	OpCrash = "crash"
	// OpStopBroker is a controlled shutdown of a broker.
	OpStopBroker = "stop_broker"
	// OpKillBroker crashes a broker.
	OpKillBroker = "kill_broker"
	// OpStartBroker restarts a stopped or crashed broker.
	OpStartBroker = "start_broker"
	// OpPartitionNetwork splits the network into groups of nodes.
	OpPartitionNetwork = "partition_network"
	// OpHealNetwork removes every network partition.
	OpHealNetwork = "heal_network"
	// OpDelayNode adds latency to every message to or from a node.
	OpDelayNode = "delay_node"
	// OpAdvance lets virtual time run.
	OpAdvance = "advance"
	// OpAddUser adds a SASL credential.
	OpAddUser = "add_user"
	// OpCreateACL creates an ACL binding (CreateAcls).
	OpCreateACL = "create_acl"
	// OpDeleteACL deletes the ACL bindings matching a filter (DeleteAcls).
	OpDeleteACL = "delete_acl"
	// OpExpect fails the run unless the state holds a value at a path.
	OpExpect = "expect"
	// OpElectLeaders runs a preferred leader election (ElectLeaders), an
	// extension.
	OpElectLeaders = "elect_leaders"
	// OpKillNode crashes a controller or ZooKeeper server process (brokers
	// have kill_broker), an extension.
	OpKillNode = "kill_node"
	// OpStartNode restarts a crashed controller or ZooKeeper server, an
	// extension.
	OpStartNode = "start_node"
	// OpAddEavesdropper places an observer on the wire next to a node (an
	// extension): it sees what travels in clear text.
	OpAddEavesdropper = "add_eavesdropper"
	// OpProcess marks the records of a consumer's last poll as processed
	// by the application (an extension): delivery semantics count what was
	// processed twice, or committed and never processed.
	OpProcess = "process"
)

// fieldRule is one field an op takes.
type fieldRule struct {
	name     string
	required bool
}

// opSpecification is an op and its fields, in canonical order.
type opSpecification struct {
	name   string
	fields []fieldRule
}

// newOp builds an opSpecification; a field name ending in "!" is required.
func newOp(name string, fields ...string) opSpecification {
	specification := opSpecification{name: name}
	for _, field := range fields {
		required := strings.HasSuffix(field, "!")
		specification.fields = append(specification.fields, fieldRule{name: strings.TrimSuffix(field, "!"), required: required})
	}
	return specification
}

// aclFields are the fields of create_acl and delete_acl.
var aclFields = []string{"principal!", "resource_type!", "resource_name!", "pattern_type!", "operation!", "permission!", "host"}

// opTable lists every op with its fields, in SCENARIO.md's order.
var opTable = []opSpecification{
	newOp(OpCreateTopic, "topic!", "partitions!", "replication_factor!", "config"),
	newOp(OpDeleteTopic, "topic!"),
	newOp(OpAlterConfig, "topic", "broker", "config!"),
	newOp(OpAddProducer, "id!", "config"),
	newOp(OpProduce, "producer!", "topic!", "key", "value!", "partition", "headers", "count"),
	newOp(OpFlush, "producer!"),
	newOp(OpInitTransactions, "producer!"),
	newOp(OpBeginTransaction, "producer!"),
	newOp(OpCommitTransaction, "producer!"),
	newOp(OpAbortTransaction, "producer!"),
	newOp(OpSendOffsetsToTransaction, "producer!", "consumer!"),
	newOp(OpAddConsumer, "id!", "group", "topics!", "config"),
	newOp(OpPoll, "consumer!", "max_records", "timeout_ms"),
	newOp(OpCommit, "consumer!"),
	newOp(OpClose, "client!"),
	newOp(OpCrash, "client!"),
	newOp(OpStopBroker, "broker!"),
	newOp(OpKillBroker, "broker!"),
	newOp(OpStartBroker, "broker!"),
	newOp(OpPartitionNetwork, "groups!"),
	newOp(OpHealNetwork),
	newOp(OpDelayNode, "node!", "ms!"),
	newOp(OpAdvance, "ms!"),
	newOp(OpAddUser, "user!", "password", "mechanism!", "credential"),
	newOp(OpCreateACL, aclFields...),
	newOp(OpDeleteACL, aclFields...),
	newOp(OpExpect, "path!", "equals!"),
	newOp(OpElectLeaders, "topic", "partition"),
	newOp(OpKillNode, "node!"),
	newOp(OpStartNode, "node!"),
	newOp(OpProcess, "consumer!"),
	newOp(OpCreatePartitions, "topic!", "partitions!"),
	newOp(OpAddEavesdropper, "id!", "node!"),
}

// commonFields are the fields every step may carry.
var commonFields = []string{"op", "at_ms", "async", "note"}

// Ops returns the name of every op, in the order of SCENARIO.md's table
// followed by the extensions.
func Ops() []string {
	names := make([]string, len(opTable))
	for index, specification := range opTable {
		names[index] = specification.name
	}
	return names
}

// findOp returns the specification of the op called name.
func findOp(name string) (opSpecification, bool) {
	for _, specification := range opTable {
		if specification.name == name {
			return specification, true
		}
	}
	return opSpecification{}, false
}

// allowedFields returns the fields a step of this op may carry: the op's own
// fields, then the common ones.
func (o opSpecification) allowedFields() []string {
	names := make([]string, 0, len(o.fields)+len(commonFields))
	for _, rule := range o.fields {
		names = append(names, rule.name)
	}
	return append(names, commonFields...)
}

// isStepField reports whether some op takes a field called name.
func isStepField(name string) bool {
	for _, specification := range opTable {
		for _, rule := range specification.fields {
			if rule.name == name {
				return true
			}
		}
	}
	return false
}

// SASL mechanisms, ACL enumerations (Kafka's own names) and their filter
// forms accepted by delete_acl.
var (
	saslMechanisms     = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}
	aclResourceTypes   = []string{"TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID", "DELEGATION_TOKEN", "USER"}
	aclPatternTypes    = []string{"LITERAL", "PREFIXED"}
	aclPatternFilters  = []string{"LITERAL", "PREFIXED", "MATCH", "ANY"}
	aclOperations      = []string{"ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE", "CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE", "CREATE_TOKENS", "DESCRIBE_TOKENS"}
	aclPermissionTypes = []string{"ALLOW", "DENY"}
)

// withAny returns values followed by "ANY", the wildcard of an ACL filter.
func withAny(values []string) []string {
	return append(slices.Clip(values), "ANY")
}

// stepContext is the step being decoded.
type stepContext struct {
	index int
	op    string
}

// fail builds a problem inside this step.
func (c stepContext) fail(r *documentReader, offset int64, field, format string, arguments ...any) *problem {
	return r.fail(offset, c.index, c.op, field, format, arguments...)
}

// decodeSteps decodes the "steps" list.
func (r *documentReader) decodeSteps(steps value) *problem {
	if kind := kindOf(steps.raw); kind != kindList {
		return r.fail(steps.offset, -1, "", "steps", "must be a list, got %s", kind)
	}
	elements, err := readList(steps)
	if err != nil {
		return r.fail(steps.offset, -1, "", "steps", "invalid JSON: %v", err)
	}
	if len(elements) > MaxSteps {
		return r.fail(elements[MaxSteps].offset, -1, "", "steps", "%d steps is more than the limit of %d", len(elements), MaxSteps)
	}
	r.timeline = timeline{lastAtStep: -1}
	for index, element := range elements {
		step, bad := r.decodeStep(index, element)
		if bad != nil {
			return bad
		}
		r.scenario.Steps = append(r.scenario.Steps, step)
	}
	return nil
}

// decodeStep decodes and checks one step against the steps before it.
func (r *documentReader) decodeStep(index int, element value) (Step, *problem) {
	context := stepContext{index: index}
	if kind := kindOf(element.raw); kind != kindObject {
		return Step{}, context.fail(r, element.offset, "", "a step is a JSON object, got %s", kind)
	}
	members, err := readObject(element)
	if err != nil {
		return Step{}, context.fail(r, element.offset, "", "invalid JSON: %v", err)
	}
	opMember, found := findMember(members, "op")
	if !found {
		return Step{}, context.fail(r, element.offset, "op", "missing required field")
	}
	name, message := decodeText(opMember.raw, 0, -1)
	if message != "" {
		return Step{}, context.fail(r, opMember.offset, "op", "%s", message)
	}
	specification, known := findOp(name)
	if !known {
		return Step{}, context.fail(r, opMember.offset, "op", "unknown op %s%s", quoteShort(name),
			suggestionSuffix(name, Ops(), "; the ops are "+strings.Join(Ops(), ", ")))
	}
	context.op = name
	if bad := r.checkStepNames(context, specification, members); bad != nil {
		return Step{}, bad
	}
	step := Step{Op: name}
	for _, member := range members {
		if bad := r.decodeStepField(context, &step, member); bad != nil {
			return Step{}, bad
		}
	}
	for _, rule := range specification.fields {
		if _, found := findMember(members, rule.name); rule.required && !found {
			return Step{}, context.fail(r, element.offset, rule.name, "missing required field")
		}
	}
	if bad := r.checkStep(context, &step, members, element.offset); bad != nil {
		return Step{}, bad
	}
	return step, nil
}

// checkStepNames reports the first field, in document order, that the op
// does not take or that appears twice.
func (r *documentReader) checkStepNames(context stepContext, specification opSpecification, members []member) *problem {
	allowed := specification.allowedFields()
	seen := map[string]bool{}
	for _, member := range members {
		if seen[member.name] {
			return context.fail(r, member.nameOffset, member.name, "field appears twice")
		}
		seen[member.name] = true
		if slices.Contains(allowed, member.name) {
			continue
		}
		takes := fmt.Sprintf("; %s takes %s", context.op, strings.Join(allowed, ", "))
		if isStepField(member.name) {
			return context.fail(r, member.nameOffset, member.name, "not a field of %s%s", context.op, suggestionSuffix(member.name, allowed, takes))
		}
		return context.fail(r, member.nameOffset, member.name, "unknown field%s", suggestionSuffix(member.name, allowed, takes))
	}
	return nil
}

// decodeStepField decodes one field of a step into step, checking its type,
// its range and whatever earlier steps decide (clients, nodes).
func (r *documentReader) decodeStepField(context stepContext, step *Step, field member) *problem {
	var message string
	switch field.name {
	case "op":
	case "at_ms":
		var atMs int64
		atMs, message = decodeInt64(field.raw, 0, MaxAtMs)
		step.AtMs = &atMs
	case "async":
		step.Async, message = decodeBool(field.raw)
	case "note":
		step.Note, message = decodeText(field.raw, 0, MaxNoteLength)
	case "topic":
		step.Topic, message = decodeTopicName(field.raw)
	case "partitions":
		step.Partitions, message = decodeInt(field.raw, 1, MaxPartitions)
	case "replication_factor":
		step.ReplicationFactor, message = decodeInt(field.raw, 1, MaxReplicationFactor)
	case "config":
		var bad *problem
		step.Config, bad = r.decodeConfig(field, context.index, context.op, field.name)
		return bad
	case "broker":
		step.Broker, message = r.decodeBroker(field.raw)
	case "id":
		step.ID, message = r.decodeNewClientID(field.raw)
	case "producer":
		step.Producer, message = r.decodeClientReference(field.raw, OpAddProducer)
	case "consumer":
		step.Consumer, message = r.decodeClientReference(field.raw, OpAddConsumer)
	case "client":
		step.Client, message = r.decodeClientReference(field.raw, "")
	case "key":
		step.Key, message = decodeNullableText(field.raw, MaxKeyBytes)
	case "value":
		step.Value, message = decodeNullableText(field.raw, MaxValueBytes)
	case "partition":
		var partition int
		partition, message = decodeInt(field.raw, 0, MaxPartitions-1)
		step.Partition = &partition
	case "headers":
		var bad *problem
		step.Headers, bad = r.decodeHeaders(context, field)
		return bad
	case "count":
		step.Count, message = decodeInt(field.raw, 1, MaxRecordsPerStep)
	default:
		return r.decodeLaterStepField(context, step, field)
	}
	if message != "" {
		return context.fail(r, field.offset, field.name, "%s", message)
	}
	return nil
}

// decodeLaterStepField is decodeStepField for the fields of the ops from
// add_consumer on in the table.
func (r *documentReader) decodeLaterStepField(context stepContext, step *Step, field member) *problem {
	var message string
	switch field.name {
	case "group":
		step.Group, message = decodeText(field.raw, 1, MaxIdentifierLength)
	case "topics":
		step.Topics, message = decodeTopicList(field.value)
	case "max_records":
		step.MaxRecords, message = decodeInt(field.raw, 1, MaxPollRecords)
	case "timeout_ms":
		var timeoutMs int64
		timeoutMs, message = decodeInt64(field.raw, 0, MaxPollTimeoutMs)
		step.TimeoutMs = &timeoutMs
	case "groups":
		step.Groups, message = r.decodeNetworkGroups(field.value)
	case "node":
		step.Node, message = decodeText(field.raw, 0, -1)
		if message == "" {
			message = r.checkNodeName(step.Node)
		}
	case "ms":
		maximum := int64(MaxAdvanceMs)
		if context.op == OpDelayNode {
			maximum = MaxNodeDelayMs
		}
		step.Ms, message = decodeInt64(field.raw, 0, maximum)
	case "user":
		step.User, message = decodeText(field.raw, 1, MaxIdentifierLength)
	case "password":
		step.Password, message = decodeText(field.raw, 0, MaxIdentifierLength)
	case "credential":
		step.Credential, message = decodeText(field.raw, 1, MaxCredentialLength)
	case "mechanism":
		step.Mechanism, message = decodeEnumeration(field.raw, saslMechanisms)
	default:
		return r.decodeACLOrExpectField(context, step, field)
	}
	if message != "" {
		return context.fail(r, field.offset, field.name, "%s", message)
	}
	return nil
}

// decodeACLOrExpectField is decodeStepField for the fields of create_acl,
// delete_acl and expect. delete_acl takes a filter, so it also accepts the
// wildcards ANY and MATCH where DeleteAcls does.
func (r *documentReader) decodeACLOrExpectField(context stepContext, step *Step, field member) *problem {
	filter := context.op == OpDeleteACL
	choose := func(values, filterValues []string) []string {
		if filter {
			return filterValues
		}
		return values
	}
	var message string
	switch field.name {
	case "principal":
		step.Principal, message = decodePrincipal(field.raw)
	case "resource_type":
		step.ResourceType, message = decodeEnumeration(field.raw, choose(aclResourceTypes, withAny(aclResourceTypes)))
	case "resource_name":
		step.ResourceName, message = decodeText(field.raw, 1, MaxIdentifierLength)
	case "pattern_type":
		step.PatternType, message = decodeEnumeration(field.raw, choose(aclPatternTypes, aclPatternFilters))
	case "operation":
		step.Operation, message = decodeEnumeration(field.raw, choose(aclOperations, withAny(aclOperations)))
	case "permission":
		step.Permission, message = decodeEnumeration(field.raw, choose(aclPermissionTypes, withAny(aclPermissionTypes)))
	case "host":
		step.Host, message = decodeText(field.raw, 1, MaxIdentifierLength)
	case "path":
		step.Path, message = decodeText(field.raw, 1, -1)
		if message == "" && len(step.Path) > MaxPathBytes {
			message = fmt.Sprintf("a path is at most %d bytes, this one has %d", MaxPathBytes, len(step.Path))
		}
	case "equals":
		var compact bytes.Buffer
		if err := json.Compact(&compact, field.raw); err != nil {
			message = "invalid JSON: " + err.Error()
		}
		step.Equals = json.RawMessage(compact.Bytes())
	default:
		return context.fail(r, field.offset, field.name, "no decoder for this field (a bug in the playground)")
	}
	if message != "" {
		return context.fail(r, field.offset, field.name, "%s", message)
	}
	return nil
}

// checkStep applies the checks that involve several fields or steps, once
// every field of the step is decoded, and records what later steps may refer
// to.
func (r *documentReader) checkStep(context stepContext, step *Step, members []member, stepOffset int64) *problem {
	offsetOf := func(name string) int64 {
		if field, found := findMember(members, name); found {
			return field.offset
		}
		return stepOffset
	}
	switch step.Op {
	case OpAlterConfig:
		_, hasTopic := findMember(members, "topic")
		_, hasBroker := findMember(members, "broker")
		if hasTopic == hasBroker {
			return context.fail(r, offsetOf("broker"), "", "needs exactly one of \"topic\" or \"broker\"")
		}
		if len(step.Config) == 0 {
			return context.fail(r, offsetOf("config"), "config", "must set at least one config key")
		}
	case OpElectLeaders:
		if step.Partition != nil && step.Topic == "" {
			return context.fail(r, offsetOf("partition"), "partition", "needs \"topic\" too")
		}
	case OpAddUser:
		_, hasPassword := findMember(members, "password")
		_, hasCredential := findMember(members, "credential")
		if hasPassword == hasCredential {
			return context.fail(r, offsetOf("password"), "", "needs exactly one of \"password\" or \"credential\"")
		}
		if hasCredential {
			if _, err := security.ParseCredential(step.Mechanism, step.Credential); err != nil {
				return context.fail(r, offsetOf("credential"), "credential", "%v", err)
			}
		}
	case OpAddProducer, OpAddConsumer:
		if earlier, found := r.clients[step.ID]; found {
			return context.fail(r, offsetOf("id"), "id", "client %q was already added by step %d", step.ID, earlier.step)
		}
		r.clients[step.ID] = clientEntry{kind: step.Op, step: context.index}
		r.clientIDs = append(r.clientIDs, step.ID)
	case OpAddEavesdropper:
		if earlier, found := r.eavesdroppers[step.ID]; found {
			return context.fail(r, offsetOf("id"), "id", "eavesdropper %q was already added by step %d", step.ID, earlier)
		}
		if len(r.eavesdroppers) >= MaxEavesdroppers {
			return context.fail(r, offsetOf("id"), "id", "a scenario adds at most %d eavesdroppers", MaxEavesdroppers)
		}
		if r.eavesdroppers == nil {
			r.eavesdroppers = map[string]int{}
		}
		r.eavesdroppers[step.ID] = context.index
	case OpCreateTopic:
		r.topicsCreated++
		if r.topicsCreated > MaxTopicsCreated {
			return context.fail(r, stepOffset, "", "a scenario creates at most %d topics", MaxTopicsCreated)
		}
	case OpProduce:
		r.recordsTotal += int64(step.RecordCount())
		if r.recordsTotal > MaxRecordsTotal {
			return context.fail(r, offsetOf("count"), "count", "the scenario would produce %d records, more than the limit of %d in all", r.recordsTotal, MaxRecordsTotal)
		}
	}
	if message := r.timeline.step(context.index, step); message != "" {
		return context.fail(r, offsetOf("at_ms"), "at_ms", "%s", message)
	}
	return nil
}

// timeline follows the earliest virtual time each step can run at, to refuse
// an at_ms that is certainly in the past. Only at_ms and advance are known
// before running; flush and poll may move time further, which the runner
// checks.
type timeline struct {
	// earliestMs is a lower bound of virtual time before the next step.
	earliestMs int64
	// lastAtStep is the last step with an at_ms, or -1; lastAtMs is its at_ms.
	lastAtStep int
	lastAtMs   int64
	// advancedMs is the time advance steps added since lastAtStep.
	advancedMs int64
}

// step checks one step's at_ms and moves the bound; the result is a message
// for an at_ms in the past, or "".
func (t *timeline) step(index int, step *Step) string {
	if step.AtMs != nil {
		atMs := *step.AtMs
		if atMs < t.earliestMs {
			switch {
			case t.advancedMs == 0:
				return fmt.Sprintf("%d is before step %d's at_ms %d", atMs, t.lastAtStep, t.lastAtMs)
			case t.lastAtStep < 0:
				return fmt.Sprintf("%d is before %d, the earliest time this step can run (after %d ms of advance steps)", atMs, t.earliestMs, t.advancedMs)
			default:
				return fmt.Sprintf("%d is before %d, the earliest time this step can run (step %d's at_ms %d, then %d ms of advance steps)", atMs, t.earliestMs, t.lastAtStep, t.lastAtMs, t.advancedMs)
			}
		}
		t.earliestMs, t.lastAtStep, t.lastAtMs, t.advancedMs = atMs, index, atMs, 0
	}
	if step.Op == OpAdvance && !step.Async {
		t.earliestMs += step.Ms
		t.advancedMs += step.Ms
	}
	return ""
}

// decodeBroker decodes a broker id of this cluster.
func (r *documentReader) decodeBroker(raw json.RawMessage) (int, string) {
	broker, message := decodeInt(raw, 1, MaxBrokers)
	if message == "" && broker > r.scenario.Cluster.Brokers {
		return 0, fmt.Sprintf("there is no broker %d; the cluster has brokers 1..%d", broker, r.scenario.Cluster.Brokers)
	}
	return broker, message
}

// decodeNewClientID decodes the id of a client being added.
func (r *documentReader) decodeNewClientID(raw json.RawMessage) (string, string) {
	id, message := decodeText(raw, 0, -1)
	if message != "" {
		return "", message
	}
	if err := ValidateClientID(id); err != nil {
		return "", err.Error()
	}
	return id, ""
}

// decodeClientReference decodes the id of a client an earlier step added,
// of the kind that adding op creates ("" for any client).
func (r *documentReader) decodeClientReference(raw json.RawMessage, addingOp string) (string, string) {
	id, message := decodeText(raw, 0, -1)
	if message != "" {
		return "", message
	}
	kind := map[string]string{OpAddProducer: "producer", OpAddConsumer: "consumer", "": "client"}
	entry, found := r.clients[id]
	if !found {
		var candidates []string
		for _, candidate := range r.clientIDs {
			if addingOp == "" || r.clients[candidate].kind == addingOp {
				candidates = append(candidates, candidate)
			}
		}
		return "", fmt.Sprintf("no %s %s was added before this step%s", kind[addingOp], quoteShort(id), suggestionSuffix(id, candidates, ""))
	}
	if addingOp != "" && entry.kind != addingOp {
		return "", fmt.Sprintf("%q is a %s (added by step %d), not a %s", id, kind[entry.kind], entry.step, kind[addingOp])
	}
	return id, ""
}

// checkNodeName returns "" when name is a node of this cluster at this step:
// a broker, a member of the metadata quorum, the admin client or a client an
// earlier step added; otherwise a message saying why not.
func (r *documentReader) checkNodeName(name string) string {
	if name == AdminClientID {
		return ""
	}
	if _, found := r.clients[name]; found {
		return ""
	}
	cluster := &r.scenario.Cluster
	counts := map[string]int{"broker": cluster.Brokers, "controller": cluster.Controllers, "zookeeper": cluster.ZooKeepers}
	for _, kind := range nodeKinds {
		rest, found := strings.CutPrefix(name, kind+"-")
		if !found || rest == "" || !allDigits(rest) {
			continue
		}
		count := counts[kind]
		if count == 0 {
			return fmt.Sprintf("there is no %s: a cluster with %q metadata has no %s nodes", name, cluster.Metadata, kind)
		}
		if number, err := strconv.Atoi(rest); err != nil || rest[0] == '0' || number < 1 || number > count {
			return fmt.Sprintf("there is no %s; this cluster's %ss are %s-1..%s-%d", quoteShort(name), kind, kind, kind, count)
		}
		return ""
	}
	candidates := []string{AdminClientID}
	for _, kind := range nodeKinds {
		for number := 1; number <= counts[kind]; number++ {
			candidates = append(candidates, fmt.Sprintf("%s-%d", kind, number))
		}
	}
	candidates = append(candidates, r.clientIDs...)
	return fmt.Sprintf("unknown node %s%s", quoteShort(name), suggestionSuffix(name, candidates, "; "+r.nodeNamesSentence()))
}

// nodeNamesSentence says which node names exist, for messages.
func (r *documentReader) nodeNamesSentence() string {
	cluster := &r.scenario.Cluster
	sentence := fmt.Sprintf("node names are broker-1..broker-%d", cluster.Brokers)
	if cluster.Controllers > 0 {
		sentence += fmt.Sprintf(", controller-1..controller-%d", cluster.Controllers)
	}
	if cluster.ZooKeepers > 0 {
		sentence += fmt.Sprintf(", zookeeper-1..zookeeper-%d", cluster.ZooKeepers)
	}
	return sentence + ", admin and the ids of clients added before this step"
}

// decodeNetworkGroups decodes the groups of partition_network: 1 to
// MaxNetworkGroups non-empty lists of node names, each node in one list at
// most.
func (r *documentReader) decodeNetworkGroups(field value) ([][]string, string) {
	if kind := kindOf(field.raw); kind != kindList {
		return nil, "must be a list of lists of node names, got " + kind
	}
	var groups [][]string
	if err := json.Unmarshal(field.raw, &groups); err != nil {
		return nil, "must be a list of lists of node names (strings)"
	}
	switch {
	case len(groups) == 0:
		return nil, "must hold at least one group of nodes"
	case len(groups) > MaxNetworkGroups:
		return nil, fmt.Sprintf("%d groups is more than the limit of %d", len(groups), MaxNetworkGroups)
	}
	groupOf := map[string]int{}
	for groupIndex, group := range groups {
		if len(group) == 0 {
			return nil, fmt.Sprintf("group %d is empty (a group is a list of node names)", groupIndex)
		}
		for _, node := range group {
			if message := r.checkNodeName(node); message != "" {
				return nil, fmt.Sprintf("group %d: %s", groupIndex, message)
			}
			if earlier, found := groupOf[node]; found {
				return nil, fmt.Sprintf("node %q is in group %d and in group %d; a node belongs to one group", node, earlier, groupIndex)
			}
			groupOf[node] = groupIndex
		}
	}
	return groups, ""
}

// decodeConfig decodes a config map: at most MaxConfigEntries string values
// with keys of 1..MaxConfigKeyLength characters. An empty map decodes as nil.
func (r *documentReader) decodeConfig(field member, step int, op, path string) (map[string]string, *problem) {
	fail := func(offset int64, format string, arguments ...any) *problem {
		return r.fail(offset, step, op, path, format, arguments...)
	}
	if kind := kindOf(field.raw); kind != kindObject {
		return nil, fail(field.offset, "must be an object of config keys to string values, got %s", kind)
	}
	entries, err := readObject(field.value)
	if err != nil {
		return nil, fail(field.offset, "invalid JSON: %v", err)
	}
	if len(entries) > MaxConfigEntries {
		return nil, fail(field.offset, "%d entries is more than the limit of %d", len(entries), MaxConfigEntries)
	}
	var config map[string]string
	for index, entry := range entries {
		if _, earlier := findMember(entries[:index], entry.name); earlier {
			return nil, fail(entry.nameOffset, "key %s appears twice", quoteShort(entry.name))
		}
		if entry.name == "" || characterCount(entry.name) > MaxConfigKeyLength {
			return nil, fail(entry.nameOffset, "a config key is 1..%d characters, %s is not", MaxConfigKeyLength, quoteShort(entry.name))
		}
		if kind := kindOf(entry.raw); kind != kindString {
			return nil, fail(entry.offset, "key %q: must be a string, got %s (config values are strings, as in Kafka: write \"%s\")",
				entry.name, kind, strings.Trim(shortText(entry.raw), `"`))
		}
		var text string
		if err := json.Unmarshal(entry.raw, &text); err != nil {
			return nil, fail(entry.offset, "key %q: %v", entry.name, err)
		}
		if len(text) > MaxConfigValueBytes {
			return nil, fail(entry.offset, "key %q: the value is %d bytes, more than the limit of %d", entry.name, len(text), MaxConfigValueBytes)
		}
		if config == nil {
			config = map[string]string{}
		}
		config[entry.name] = text
	}
	return config, nil
}

// decodeHeaders decodes the headers object of produce into headers sorted by
// key; an empty object decodes as nil.
func (r *documentReader) decodeHeaders(context stepContext, field member) ([]Header, *problem) {
	if kind := kindOf(field.raw); kind != kindObject {
		return nil, context.fail(r, field.offset, field.name, "must be an object of header keys to string values, got %s", kind)
	}
	entries, err := readObject(field.value)
	if err != nil {
		return nil, context.fail(r, field.offset, field.name, "invalid JSON: %v", err)
	}
	if len(entries) > MaxHeaders {
		return nil, context.fail(r, field.offset, field.name, "%d headers is more than the limit of %d", len(entries), MaxHeaders)
	}
	var headers []Header
	for index, entry := range entries {
		if _, earlier := findMember(entries[:index], entry.name); earlier {
			return nil, context.fail(r, entry.nameOffset, field.name, "header %s appears twice", quoteShort(entry.name))
		}
		if len(entry.name) > MaxHeaderBytes {
			return nil, context.fail(r, entry.nameOffset, field.name, "a header key is %d bytes, more than the limit of %d", len(entry.name), MaxHeaderBytes)
		}
		text, message := decodeText(entry.raw, 0, -1)
		if message == "" && len(text) > MaxHeaderBytes {
			message = fmt.Sprintf("is %d bytes, more than the limit of %d", len(text), MaxHeaderBytes)
		}
		if message != "" {
			return nil, context.fail(r, entry.offset, field.name, "header %s: %s", quoteShort(entry.name), message)
		}
		headers = append(headers, Header{Key: entry.name, Value: text})
	}
	slices.SortFunc(headers, func(a, b Header) int { return strings.Compare(a.Key, b.Key) })
	return headers, nil
}

// decodeTopicList decodes the topics of add_consumer: 1 to
// MaxSubscribedTopics distinct topic names.
func decodeTopicList(field value) ([]string, string) {
	if kind := kindOf(field.raw); kind != kindList {
		return nil, "must be a list of topic names, got " + kind
	}
	var topics []string
	if err := json.Unmarshal(field.raw, &topics); err != nil {
		return nil, "must be a list of topic names (strings)"
	}
	switch {
	case len(topics) == 0:
		return nil, "must name at least one topic"
	case len(topics) > MaxSubscribedTopics:
		return nil, fmt.Sprintf("%d topics is more than the limit of %d", len(topics), MaxSubscribedTopics)
	}
	for index, topic := range topics {
		if err := ValidateTopicName(topic); err != nil {
			return nil, err.Error()
		}
		if slices.Contains(topics[:index], topic) {
			return nil, fmt.Sprintf("topic %q is listed twice", topic)
		}
	}
	return topics, ""
}

// decodeTopicName decodes one topic name.
func decodeTopicName(raw json.RawMessage) (string, string) {
	name, message := decodeText(raw, 0, -1)
	if message != "" {
		return "", message
	}
	if err := ValidateTopicName(name); err != nil {
		return "", err.Error()
	}
	return name, ""
}

// decodePrincipal decodes an ACL principal of the form Type:name, such as
// User:alice or User:*.
func decodePrincipal(raw json.RawMessage) (string, string) {
	principal, message := decodeText(raw, 1, MaxIdentifierLength)
	if message != "" {
		return "", message
	}
	principalType, name, found := strings.Cut(principal, ":")
	if !found || principalType == "" || name == "" {
		return "", fmt.Sprintf("%s is not a principal; write Type:name, such as \"User:alice\" or \"User:*\"", quoteShort(principal))
	}
	return principal, ""
}

// encodeStepField returns the JSON of one step field and whether the field is
// present; raw is nil when the field cannot be written at all.
func encodeStepField(step *Step, name string) (raw []byte, present bool) {
	if name == "password" {
		// add_user has a password, empty or not, unless it has a credential.
		return marshal(step.Password), step.Credential == ""
	}
	text := map[string]string{
		"topic": step.Topic, "id": step.ID, "producer": step.Producer, "consumer": step.Consumer,
		"client": step.Client, "group": step.Group, "node": step.Node, "user": step.User,
		"password": step.Password, "mechanism": step.Mechanism, "credential": step.Credential, "principal": step.Principal,
		"resource_type": step.ResourceType, "resource_name": step.ResourceName,
		"pattern_type": step.PatternType, "operation": step.Operation, "permission": step.Permission,
		"host": step.Host, "path": step.Path,
	}
	if value, isText := text[name]; isText {
		return marshal(value), value != ""
	}
	switch name {
	case "partitions":
		return marshal(step.Partitions), step.Partitions != 0
	case "replication_factor":
		return marshal(step.ReplicationFactor), step.ReplicationFactor != 0
	case "config":
		return marshal(step.Config), len(step.Config) > 0
	case "broker":
		return marshal(step.Broker), step.Broker != 0
	case "key":
		return marshal(step.Key), step.Key != nil
	case "value":
		return marshal(step.Value), step.Value != nil
	case "partition":
		return marshal(step.Partition), step.Partition != nil
	case "headers":
		return encodeHeaders(step.Headers), len(step.Headers) > 0
	case "count":
		return marshal(step.Count), step.Count != 0
	case "topics":
		return marshal(step.Topics), len(step.Topics) > 0
	case "max_records":
		return marshal(step.MaxRecords), step.MaxRecords != 0
	case "timeout_ms":
		return marshal(step.TimeoutMs), step.TimeoutMs != nil
	case "groups":
		return marshal(step.Groups), len(step.Groups) > 0
	case "ms":
		return marshal(step.Ms), true
	case "equals":
		return step.Equals, step.Equals != nil
	}
	return nil, false
}

// encodeHeaders writes headers as a JSON object, in the slice's order.
func encodeHeaders(headers []Header) []byte {
	var output bytes.Buffer
	writer := objectWriter{output: &output}
	writer.open()
	for _, header := range headers {
		writer.field(header.Key, header.Value)
	}
	writer.close()
	return output.Bytes()
}

// value is one JSON value of the file and where it starts.
type value struct {
	raw json.RawMessage
	// offset is the byte offset of the value's first byte in the file.
	offset int64
}

// member is one name and value of a JSON object.
type member struct {
	name string
	// nameOffset is the byte offset of the name's opening quote in the file.
	nameOffset int64
	value
}

// Kinds of JSON value, as messages name them.
const (
	kindObject  = "an object"
	kindList    = "a list"
	kindString  = "a string"
	kindBoolean = "a boolean"
	kindNull    = "null"
	kindNumber  = "a number"
)

// kindOf names the kind of a valid JSON value from its first byte.
func kindOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return kindObject
	case '[':
		return kindList
	case '"':
		return kindString
	case 't', 'f':
		return kindBoolean
	case 'n':
		return kindNull
	}
	return kindNumber
}

// objectMembers reads the members of an object value in document order.
func (r *documentReader) objectMembers(object value, path string, step int, op string) ([]member, *problem) {
	members, err := readObject(object)
	if err != nil {
		return nil, r.fail(object.offset, step, op, strings.TrimSuffix(path, "."), "invalid JSON: %v", err)
	}
	return members, nil
}

// readObject reads the members of a valid JSON object in document order,
// with their offsets, keeping duplicates for the caller to refuse.
func readObject(object value) ([]member, error) {
	decoder := json.NewDecoder(bytes.NewReader(object.raw))
	decoder.UseNumber()
	if _, err := decoder.Token(); err != nil {
		return nil, err
	}
	var members []member
	for decoder.More() {
		nameStart := skipBytes(object.raw, decoder.InputOffset(), ",")
		token, err := decoder.Token()
		if err != nil {
			return nil, err
		}
		name, isName := token.(string)
		if !isName {
			return nil, fmt.Errorf("expected an object member name, got %v", token)
		}
		valueStart := skipBytes(object.raw, decoder.InputOffset(), ":")
		var raw json.RawMessage
		if err := decoder.Decode(&raw); err != nil {
			return nil, err
		}
		members = append(members, member{name: name, nameOffset: object.offset + nameStart,
			value: value{raw: raw, offset: object.offset + valueStart}})
	}
	return members, nil
}

// readList reads the elements of a valid JSON list, with their offsets.
func readList(list value) ([]value, error) {
	decoder := json.NewDecoder(bytes.NewReader(list.raw))
	decoder.UseNumber()
	if _, err := decoder.Token(); err != nil {
		return nil, err
	}
	var elements []value
	for decoder.More() {
		start := skipBytes(list.raw, decoder.InputOffset(), ",")
		var raw json.RawMessage
		if err := decoder.Decode(&raw); err != nil {
			return nil, err
		}
		elements = append(elements, value{raw: raw, offset: list.offset + start})
	}
	return elements, nil
}

// skipBytes returns the offset of the first byte at or after offset that is
// neither JSON white space nor one of separators.
func skipBytes(data []byte, offset int64, separators string) int64 {
	for offset < int64(len(data)) {
		switch character := data[offset]; {
		case character == ' ', character == '\t', character == '\r', character == '\n':
		case strings.IndexByte(separators, character) >= 0:
		default:
			return offset
		}
		offset++
	}
	return offset
}

// skipSpace returns the offset of the first byte at or after offset that is
// not JSON white space.
func skipSpace(data []byte, offset int64) int64 {
	return skipBytes(data, offset, "")
}

// findMember returns the first member called name.
func findMember(members []member, name string) (member, bool) {
	for _, candidate := range members {
		if candidate.name == name {
			return candidate, true
		}
	}
	return member{}, false
}

// shortText is raw JSON text cut to a readable length for a message.
func shortText(raw json.RawMessage) string {
	const maximum = 40
	if len(raw) <= maximum {
		return string(raw)
	}
	return string(raw[:maximum]) + "…"
}

// decodeText decodes a string of minimum..maximum characters (maximum -1:
// no limit). The second result is a message when the value is not one.
func decodeText(raw json.RawMessage, minimum, maximum int) (string, string) {
	if kind := kindOf(raw); kind != kindString {
		return "", "must be a string, got " + kind
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return "", "invalid string: " + err.Error()
	}
	count := characterCount(text)
	switch {
	case count < minimum && minimum == 1:
		return "", "must not be empty"
	case count < minimum:
		return "", fmt.Sprintf("must be at least %d characters", minimum)
	case maximum >= 0 && count > maximum:
		return "", fmt.Sprintf("is %d characters, more than the limit of %d", count, maximum)
	}
	return text, ""
}

// decodeNullableText decodes a string of at most maximumBytes bytes, or null
// (a nil result).
func decodeNullableText(raw json.RawMessage, maximumBytes int) (*string, string) {
	if kindOf(raw) == kindNull {
		return nil, ""
	}
	if kind := kindOf(raw); kind != kindString {
		return nil, "must be a string or null, got " + kind
	}
	text, message := decodeText(raw, 0, -1)
	if message == "" && len(text) > maximumBytes {
		message = fmt.Sprintf("is %d bytes, more than the limit of %d", len(text), maximumBytes)
	}
	if message != "" {
		return nil, message
	}
	return &text, ""
}

// decodeBool decodes true or false.
func decodeBool(raw json.RawMessage) (bool, string) {
	if kind := kindOf(raw); kind != kindBoolean {
		return false, "must be true or false, got " + kind
	}
	return raw[0] == 't', ""
}

// decodeInt64 decodes a whole number written without fraction or exponent,
// within minimum..maximum.
func decodeInt64(raw json.RawMessage, minimum, maximum int64) (int64, string) {
	if kind := kindOf(raw); kind != kindNumber {
		return 0, "must be a whole number, got " + kind
	}
	number, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil && strings.ContainsAny(string(raw), ".eE") {
		return 0, "must be a whole number, got " + shortText(raw)
	}
	if err != nil || number < minimum || number > maximum {
		return 0, fmt.Sprintf("%s is out of range %d..%d", shortText(raw), minimum, maximum)
	}
	return number, ""
}

// decodeInt is decodeInt64 for limits that fit an int.
func decodeInt(raw json.RawMessage, minimum, maximum int) (int, string) {
	number, message := decodeInt64(raw, int64(minimum), int64(maximum))
	return int(number), message
}

// decodeUnsigned decodes a whole number of 0..2^64-1.
func decodeUnsigned(raw json.RawMessage) (uint64, string) {
	if kind := kindOf(raw); kind != kindNumber {
		return 0, "must be a whole number, got " + kind
	}
	number, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil && strings.ContainsAny(string(raw), ".eE") {
		return 0, "must be a whole number, got " + shortText(raw)
	}
	if err != nil {
		return 0, fmt.Sprintf("%s is out of range 0..%d", shortText(raw), uint64(1<<64-1))
	}
	return number, ""
}

// decodeEnumeration decodes a string that must be one of allowed, exactly.
func decodeEnumeration(raw json.RawMessage, allowed []string) (string, string) {
	text, message := decodeText(raw, 0, -1)
	if message != "" {
		return "", message
	}
	if !slices.Contains(allowed, text) {
		return "", fmt.Sprintf("%s is not one of %s%s", quoteShort(text), strings.Join(allowed, ", "), suggestionSuffix(text, allowed, ""))
	}
	return text, ""
}

// suggestionSuffix returns ` (did you mean "x"?)` for the candidate nearest
// to name, or otherwise when none is near.
func suggestionSuffix(name string, candidates []string, otherwise string) string {
	if suggestion, found := suggest(name, candidates); found {
		return fmt.Sprintf(" (did you mean %q?)", suggestion)
	}
	return otherwise
}

// suggest returns the candidate that equals name but for letter case, or
// else the first candidate at the smallest edit distance, when that distance
// is at most 3 and smaller than the candidate's length.
func suggest(name string, candidates []string) (string, bool) {
	const maximumDistance = 3
	if len(name) > 100 {
		return "", false
	}
	for _, candidate := range candidates {
		if strings.EqualFold(candidate, name) && candidate != name {
			return candidate, true
		}
	}
	best, bestDistance := "", maximumDistance+1
	for _, candidate := range candidates {
		distance := editDistance(name, candidate)
		if distance > 0 && distance < bestDistance && distance < len([]rune(candidate)) {
			best, bestDistance = candidate, distance
		}
	}
	return best, best != ""
}

// editDistance is the Levenshtein distance between a and b, in characters.
func editDistance(a, b string) int {
	first, second := []rune(a), []rune(b)
	previous := make([]int, len(second)+1)
	current := make([]int, len(second)+1)
	for column := range previous {
		previous[column] = column
	}
	for row := 1; row <= len(first); row++ {
		current[0] = row
		for column := 1; column <= len(second); column++ {
			substitution := previous[column-1]
			if first[row-1] != second[column-1] {
				substitution++
			}
			current[column] = min(previous[column]+1, current[column-1]+1, substitution)
		}
		previous, current = current, previous
	}
	return previous[len(second)]
}
