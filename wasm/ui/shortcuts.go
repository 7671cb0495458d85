package ui

// Shortcut is one single-key shortcut of the page. Shortcuts act only
// when the focus is not in a field or on a button, never with Ctrl, Alt
// or Meta held, and can be turned off (WCAG 2.1.4).
type Shortcut struct {
	// Keys are the KeyboardEvent.key values that trigger it.
	Keys []string
	// Action is the page action it runs, as a data-action names it.
	Action string
	// Description says what it does.
	Description string
}

// Panels are the page's panels in the order the digit shortcuts reach
// them: 1 is Panels[0].
var Panels = []struct{ ID, Name string }{
	{"start-panel", "Start"},
	{"panel-cluster", "Cluster"},
	{"panel-topics", "Topics and partitions"},
	{"panel-messages", "Message browser"},
	{"panel-clients", "Producers, consumers and groups"},
	{"panel-chart", "Chart"},
	{"panel-timeline", "Timeline"},
	{"panel-actions", "Actions"},
	{"panel-journal", "Steps"},
}

// Shortcuts lists every shortcut, as the help dialog shows them.
var Shortcuts = []Shortcut{
	{[]string{" ", "k"}, "play", "Play or pause virtual time"},
	{[]string{"n"}, "step-event", "Advance to the next scheduled event"},
	{[]string{"j"}, "jump", "Jump ahead by the seconds in the Jump field"},
	{[]string{"["}, "slower", "Slower"},
	{[]string{"]"}, "faster", "Faster"},
	{[]string{"b"}, "back", "Back one step (replays the steps before it)"},
	{[]string{"f"}, "forward", "Forward one step after a rewind"},
	{[]string{"l"}, "latest", "Return to the latest moment after a rewind"},
	{[]string{"s"}, "share", "Copy the share link"},
	{[]string{"t"}, "theme", "Switch between the dark and the light theme"},
	{[]string{"?"}, "help", "Show the keyboard shortcuts"},
	{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "panel", "Go to a panel: 1 Start, 2 Cluster, 3 Topics, 4 Messages, 5 Clients, 6 Chart, 7 Timeline, 8 Actions, 9 Steps"},
}

// ShortcutAction returns the action of a key, and for the digit keys the
// panel index.
func ShortcutAction(key string) (action string, panel int, found bool) {
	for _, s := range Shortcuts {
		for i, k := range s.Keys {
			if k == key {
				if s.Action == "panel" {
					return s.Action, i, true
				}
				return s.Action, -1, true
			}
		}
	}
	return "", -1, false
}

// keyLabel names a key for people.
func keyLabel(key string) string {
	if key == " " {
		return "Space"
	}
	return key
}
