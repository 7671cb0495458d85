//go:build js && wasm

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/kafka-playground/playground/core/scenario"
)

// runJSON runs a scenario given as JSON and returns the output document as
// JSON, or {"error": "..."} for an invalid scenario.
func runJSON(text string) string {
	if len(text) > scenario.MaxScenarioBytes {
		return errorDocument("the scenario is larger than the 4 MiB a scenario may have")
	}
	s, err := scenario.Decode("scenario", []byte(text))
	if err != nil {
		return errorDocument(err.Error())
	}
	out, err := scenario.Run("scenario", s, scenario.Options{})
	if err != nil {
		return errorDocument(err.Error())
	}
	data, err := json.Marshal(out)
	if err != nil {
		return errorDocument(err.Error())
	}
	return string(data)
}

// snapshotHash runs a scenario as a session, as runJSON does, and returns
// the hex SHA-256 of its state snapshot, or an error document.
func snapshotHash(text string) string {
	if len(text) > scenario.MaxScenarioBytes {
		return errorDocument("the scenario is larger than the 4 MiB a scenario may have")
	}
	s, err := scenario.Decode("scenario", []byte(text))
	if err != nil {
		return errorDocument(err.Error())
	}
	session, err := scenario.NewSession("scenario", s, scenario.Options{})
	if err != nil {
		return errorDocument(err.Error())
	}
	data, err := session.Snapshot()
	if err != nil {
		return errorDocument(err.Error())
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func errorDocument(message string) string {
	data, _ := json.Marshal(map[string]string{"error": message})
	return string(data)
}
