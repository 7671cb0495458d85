// Package link turns a scenario into a share link and a share link back into
// a scenario, so that anything a person builds in the playground can be sent
// as one URL and replayed exactly.
//
// A link is the URL path "/#s=1.<payload>". The "1." is the link encoding
// version, so that links made today keep opening after the encoding changes.
// The payload is the canonical scenario JSON (scenario.Encode), compressed
// with raw DEFLATE at flate.BestCompression and written in URL-safe base64
// without padding. The scenario rides in the fragment, which browsers never
// send to a server, and the same scenario always gives the same link.
//
// A link is anyone's input, so Decode is as strict as scenario.Decode and
// bounded: it refuses a link longer than MaxLinkBytes before decoding it and
// stops decompressing at scenario.MaxScenarioBytes. Every error it returns is
// an *Error that reads as a sentence.
package link

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kafka-playground/playground/core/scenario"
)

// Version is the link encoding version Encode writes and the newest one
// Decode reads.
const Version = 1

// MaxLinkBytes is the longest link Decode reads and Encode writes: 64 KiB,
// checked before any decoding. It bounds the work one pasted link can cause.
const MaxLinkBytes = 64 << 10

// parameterName is the fragment parameter that carries the scenario.
const parameterName = "s"

// encoding is the base64 alphabet of the payload: URL-safe, without padding.
var encoding = base64.RawURLEncoding

// Error is a reason a link does not open, or a scenario cannot become one.
// Its message is a sentence without a final period, fit to show a person.
type Error struct {
	// Message says what is wrong with the link.
	Message string
	// Err is the underlying cause (a *scenario.Error for a payload that is
	// not a valid scenario, a base64 or DEFLATE error for a damaged one), or
	// nil when there is none.
	Err error
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the underlying cause, so that errors.As finds a
// *scenario.Error inside.
func (e *Error) Unwrap() error { return e.Err }

// Encode returns the share link of s: the URL path "/#s=1.<payload>". It
// fails with the *scenario.Error of scenario.Encode when s is not a valid
// scenario, and with an *Error when the link would be longer than
// MaxLinkBytes, so every link Encode returns is one Decode opens. A link
// never carries a password: it holds scenario.Redacted(s), which replays
// the same.
func Encode(s *scenario.Scenario) (string, error) {
	canonical, err := scenario.Encode(scenario.Redacted(s))
	if err != nil {
		return "", err
	}
	var compressed bytes.Buffer
	writer, err := flate.NewWriter(&compressed, flate.BestCompression)
	if err != nil {
		panic(err) // BestCompression is a valid level
	}
	if _, err := writer.Write(canonical); err != nil {
		panic(err) // writing into a bytes.Buffer does not fail
	}
	if err := writer.Close(); err != nil {
		panic(err)
	}
	link := "/#" + parameterName + "=" + strconv.Itoa(Version) + "." + encoding.EncodeToString(compressed.Bytes())
	if len(link) > MaxLinkBytes {
		return "", &Error{Message: fmt.Sprintf(
			"the scenario is too large for a link: its link would be %d bytes, more than the limit of %d bytes (64 KiB)",
			len(link), MaxLinkBytes)}
	}
	return link, nil
}

// Decode returns the scenario of a share link. link may be a whole URL
// ("https://host/#s=1.…"), its path ("/#s=1.…"), its fragment ("#s=1.…") or
// the parameter alone ("s=1.…"); the fragment may hold other parameters
// separated by "&", and the first "s=" is the one read. White space around
// the link is ignored. The scenario JSON goes through scenario.Decode under
// the file name "link", so every rule of the scenario format applies. Every
// error is an *Error.
func Decode(link string) (*scenario.Scenario, error) {
	if len(link) > MaxLinkBytes {
		return nil, &Error{Message: fmt.Sprintf("the link is %d bytes, more than the limit of %d bytes (64 KiB)",
			len(link), MaxLinkBytes)}
	}
	value, found := parameter(strings.TrimSpace(link))
	if !found {
		return nil, &Error{Message: `the link has no "s=" parameter: a playground link looks like /#s=1.…`}
	}
	payload, bad := versionedPayload(value)
	if bad != nil {
		return nil, bad
	}
	data, bad := expand(payload)
	if bad != nil {
		return nil, bad
	}
	decoded, err := scenario.Decode("link", data)
	if err != nil {
		return nil, &Error{Message: "the link is damaged: its data is not a valid scenario: " + err.Error(), Err: err}
	}
	return decoded, nil
}

// parameter returns the value of the first "s=" parameter of the link's
// fragment: the text after the first "#", or the whole link when it has none.
func parameter(link string) (string, bool) {
	fragment := link
	if _, after, found := strings.Cut(link, "#"); found {
		fragment = after
	}
	for _, field := range strings.Split(fragment, "&") {
		if value, found := strings.CutPrefix(field, parameterName+"="); found {
			return value, true
		}
	}
	return "", false
}

// versionedPayload splits "1.<payload>" and checks the version.
func versionedPayload(value string) (string, *Error) {
	versionText, payload, found := strings.Cut(value, ".")
	if !found || versionText == "" || strings.Trim(versionText, "0123456789") != "" {
		return "", &Error{Message: `the link is damaged: its "s=" parameter does not begin with a version number and a dot, like s=1.…`}
	}
	version, err := strconv.ParseUint(versionText, 10, 64)
	switch {
	case err != nil || version > Version:
		// Digits too many for a uint64 still name a version from the future.
		return "", &Error{Message: fmt.Sprintf("link version %s is newer than this playground understands (%d)",
			strings.TrimLeft(versionText, "0"), Version)}
	case version < Version:
		return "", &Error{Message: fmt.Sprintf("link version %d does not exist: this playground understands version %d",
			version, Version)}
	}
	if payload == "" {
		return "", &Error{Message: `the link is damaged: it has no data after "s=1."`}
	}
	return payload, nil
}

// expand decodes the base64 payload and decompresses it, refusing to go past
// scenario.MaxScenarioBytes.
func expand(payload string) ([]byte, *Error) {
	compressed, err := encoding.DecodeString(payload)
	if err != nil {
		var corrupt base64.CorruptInputError
		if errors.As(err, &corrupt) {
			// Characters are counted from 1, at the first one after "s=1.".
			return nil, &Error{Message: fmt.Sprintf("the link is damaged: its data is not valid base64 at character %d",
				int64(corrupt)+1), Err: err}
		}
		return nil, &Error{Message: "the link is damaged: its data is not valid base64", Err: err}
	}
	reader := flate.NewReader(bytes.NewReader(compressed))
	data, err := io.ReadAll(io.LimitReader(reader, scenario.MaxScenarioBytes+1))
	if err != nil {
		return nil, &Error{Message: "the link is damaged: its data does not decompress", Err: err}
	}
	if len(data) > scenario.MaxScenarioBytes {
		return nil, &Error{Message: "the link expands to more than 4 MiB"}
	}
	return data, nil
}
