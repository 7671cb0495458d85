package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kafka-playground/playground/core/scenario"
)

// pastedFile is the file name a pasted scenario's errors give.
const pastedFile = "pasted scenario"

// DecodePasted reads a scenario pasted into the page, as `playground run`
// reads a file. The error says where the fault is, with its line and
// column when known.
func DecodePasted(text string) (*scenario.Scenario, error) {
	if len(text) > scenario.MaxScenarioBytes {
		return nil, &FieldError{Field: "scenario", Message: fmt.Sprintf("the text is %d bytes, more than the %d a scenario may have", len(text), scenario.MaxScenarioBytes)}
	}
	s, err := scenario.Decode(pastedFile, []byte(text))
	var invalid *scenario.Error
	if errors.As(err, &invalid) {
		message := invalid.Error()
		if invalid.Line > 0 {
			message += fmt.Sprintf(" (line %d, column %d)", invalid.Line, invalid.Column)
		}
		return nil, &FieldError{Field: "scenario", Message: message}
	}
	return s, err
}

// ExportJSON writes a session's journal as an indented scenario file that
// `playground run` replays. Passwords are replaced by the same stand-ins
// share links use, which replay the same.
func ExportJSON(s *scenario.Scenario) (string, error) {
	data, err := scenario.Encode(scenario.Redacted(s))
	if err != nil {
		return "", err
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, data, "", "  "); err != nil {
		return "", err
	}
	return indented.String(), nil
}
