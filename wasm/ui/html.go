package ui

import (
	"sort"
	"strconv"
	"strings"
)

// page builds HTML text. Every piece of text that did not come from this
// package goes through Text or an attribute helper, which escape it.
type page struct {
	strings.Builder
}

// Raw writes HTML as it is; only for markup written in this package.
func (p *page) Raw(parts ...string) {
	for _, part := range parts {
		p.WriteString(part)
	}
}

// Text writes escaped text.
func (p *page) Text(text string) { p.WriteString(esc(text)) }

// Attr writes ` name="value"` with the value escaped.
func (p *page) Attr(name, value string) {
	p.WriteString(" ")
	p.WriteString(name)
	p.WriteString(`="`)
	p.WriteString(esc(value))
	p.WriteString(`"`)
}

// escaper escapes the five characters that matter in HTML text and
// attribute values. (The html package would do too, but its entity table
// costs the WebAssembly module hundreds of kilobytes.)
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

// esc escapes text for HTML.
func esc(text string) string { return escaper.Replace(text) }

// itoa formats an int64.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ids formats broker ids as "1,2,3" (for data attributes).
func ids(list []int32) string {
	parts := make([]string, len(list))
	for i, id := range list {
		parts[i] = strconv.Itoa(int(id))
	}
	return strings.Join(parts, ",")
}

// idList formats broker ids as "[1 2 3]", as Kafka's tools print them.
func idList(list []int32) string {
	return "[" + strings.ReplaceAll(ids(list), ",", " ") + "]"
}

// contains reports whether id is in list.
func contains(list []int32, id int32) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// sortedKeys returns the keys of a map in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// numericKeys returns the keys of a map keyed by decimal numbers, in
// numeric order ("2" before "10").
func numericKeys[V any](m map[string]V) []string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool {
		a, errA := strconv.Atoi(keys[i])
		b, errB := strconv.Atoi(keys[j])
		if errA != nil || errB != nil {
			return keys[i] < keys[j]
		}
		return a < b
	})
	return keys
}

// shorten cuts text to at most limit characters, saying how much was cut.
func shorten(text string, limit int) string {
	runes := []rune(text)
	if len(runes) <= limit {
		return text
	}
	return string(runes[:limit]) + "… (+" + strconv.Itoa(len(runes)-limit) + " characters)"
}

// seconds formats virtual milliseconds as seconds with three decimals.
func seconds(ms int64) string {
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return sign + strconv.FormatInt(ms/1000, 10) + "." + leftPad(strconv.FormatInt(ms%1000, 10), 3) + " s"
}

// leftPad pads text with zeros to width.
func leftPad(text string, width int) string {
	for len(text) < width {
		text = "0" + text
	}
	return text
}

// thousands formats n with thin separators: 10 000.
func thousands(n int64) string {
	text := strconv.FormatInt(n, 10)
	sign := ""
	if strings.HasPrefix(text, "-") {
		sign, text = "-", text[1:]
	}
	var out strings.Builder
	for i, digit := range text {
		if i > 0 && (len(text)-i)%3 == 0 {
			out.WriteString("\u202f")
		}
		out.WriteRune(digit)
	}
	return sign + out.String()
}
