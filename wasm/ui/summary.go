package ui

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/scenario"
)

// StepSummary says in a few words what a step does, as the journal lists
// it. Passwords are never shown.
func StepSummary(st *scenario.Step) string {
	switch st.Op {
	case scenario.OpCreateTopic:
		return "create topic " + st.Topic + ": " + strconv.Itoa(st.Partitions) + " partitions × replication factor " +
			strconv.Itoa(st.ReplicationFactor) + configSuffix(st.Config)
	case scenario.OpAddProducer:
		return "add producer " + st.ID + configSuffix(st.Config)
	case scenario.OpAddConsumer:
		group := "no group"
		if st.Group != "" {
			group = "group " + st.Group
		}
		return "add consumer " + st.ID + " in " + group + " reading " + strings.Join(st.Topics, ", ") + configSuffix(st.Config)
	case scenario.OpProduce:
		return produceSummary(st)
	case scenario.OpAdvance:
		return "let " + seconds(st.Ms) + " of virtual time run"
	case scenario.OpPartitionNetwork:
		parts := make([]string, len(st.Groups))
		for i, g := range st.Groups {
			parts[i] = "[" + strings.Join(g, " ") + "]"
		}
		return "split the network: " + strings.Join(parts, " | ")
	case scenario.OpHealNetwork:
		return "heal the network"
	case scenario.OpDelayNode:
		if st.Ms == 0 {
			return "remove the delay of " + st.Node
		}
		return "slow " + st.Node + " by " + itoa(st.Ms) + " ms"
	case scenario.OpAddUser:
		return "add user " + st.User + " (" + st.Mechanism + ")"
	case scenario.OpCreateACL, scenario.OpDeleteACL:
		verb := "allow"
		if st.Permission == "DENY" {
			verb = "deny"
		}
		text := verb + " " + st.Principal + " " + st.Operation + " on " + st.ResourceType + " " + st.ResourceName + " (" + st.PatternType + ") from " + st.ACLHost()
		if st.Op == scenario.OpDeleteACL {
			return "delete ACLs matching: " + text
		}
		return text
	case scenario.OpExpect:
		return "expect " + st.Path + " = " + shorten(string(st.Equals), 80)
	}
	return simpleSummary(st)
}

// simpleSummary covers the ops that name one thing: a client, a broker or
// a node.
func simpleSummary(st *scenario.Step) string {
	verb := strings.ReplaceAll(st.Op, "_", " ")
	switch {
	case st.Broker != 0 && st.Op != scenario.OpAlterConfig:
		return strings.TrimSuffix(verb, " broker") + " broker-" + strconv.Itoa(st.Broker)
	case st.Node != "":
		return strings.TrimSuffix(verb, " node") + " " + st.Node
	case st.Producer != "" && st.Consumer != "":
		return verb + ": " + st.Producer + " with " + st.Consumer
	case st.Producer != "":
		return verb + " " + st.Producer
	case st.Consumer != "":
		return verb + " " + st.Consumer
	case st.Client != "":
		return verb + " " + st.Client
	case st.Topic != "":
		return verb + " " + st.Topic + configSuffix(st.Config)
	}
	return verb + configSuffix(st.Config)
}

// produceSummary describes a produce step.
func produceSummary(st *scenario.Step) string {
	text := st.Producer + " sends " + thousands(int64(st.RecordCount())) + " record" + plural(st.RecordCount()) + " to " + st.Topic
	if st.Partition != nil {
		text += " partition " + strconv.Itoa(*st.Partition)
	}
	if st.Key != nil {
		text += ", key " + strconv.Quote(shorten(*st.Key, 40))
	} else {
		text += ", no key"
	}
	if st.Value != nil {
		text += ", value " + strconv.Quote(shorten(*st.Value, 40))
	}
	if len(st.Headers) > 0 {
		text += ", " + strconv.Itoa(len(st.Headers)) + " header" + plural(len(st.Headers))
	}
	if st.Async {
		text += " (without waiting)"
	}
	return text
}

// configSuffix lists a config map after a summary.
func configSuffix(config map[string]string) string {
	if len(config) == 0 {
		return ""
	}
	return " (" + strings.ReplaceAll(configText(config), ",", ";") + ")"
}

// ResultText says how a step went, for the status line under its form.
func ResultText(st *scenario.Step, r scenario.StepResult) string {
	if !r.OK {
		text := "✕ Refused: " + StepSummary(st) + " — " + r.Error
		if r.Message != "" {
			text += ": " + shorten(r.Message, 300)
		}
		return text
	}
	text := "✓ " + StepSummary(st)
	if records, found := resultRecords(r.Result); found {
		text += " — " + strconv.Itoa(records) + " record" + plural(records)
	}
	if r.EndTimeMs > r.TimeMs {
		text += " (took " + seconds(r.EndTimeMs-r.TimeMs) + " of virtual time)"
	}
	return text
}

// resultRecords counts the records of a produce or poll result.
func resultRecords(result any) (int, bool) {
	fields, ok := result.(map[string]any)
	if !ok {
		return 0, false
	}
	records := reflect.ValueOf(fields["records"])
	if records.Kind() != reflect.Slice {
		return 0, false
	}
	return records.Len(), true
}
