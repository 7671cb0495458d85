//go:build js && wasm

package ui

import "syscall/js"

// loadSettings applies the theme and the shortcut switch a person chose
// before (kept in localStorage), or the system's theme.
func (a *App) loadSettings() {
	theme := a.setting("playground.theme")
	if theme != "dark" && theme != "light" {
		theme = "light"
		if media := js.Global().Call("matchMedia", "(prefers-color-scheme: dark)"); media.Truthy() && media.Get("matches").Bool() {
			theme = "dark"
		}
	}
	a.document.DocumentElement().SetAttribute("data-theme", theme)
	a.shortcutsOn = a.setting("playground.shortcuts") != "off"
	if box := a.element("shortcuts-on"); box != nil {
		box.Underlying().Set("checked", a.shortcutsOn)
	}
	a.reducedMotion = js.Global().Call("matchMedia", "(prefers-reduced-motion: reduce)")
	a.motion = a.setting("playground.motion")
	if box := a.element("motion-on"); box != nil {
		box.Underlying().Set("checked", !a.still())
	}
}

// still says whether messages in flight are drawn without motion: the
// person turned motion off on the page, or did not choose and the system
// asks for reduced motion.
func (a *App) still() bool {
	switch a.motion {
	case "on":
		return false
	case "off":
		return true
	}
	return a.reducedMotion.Truthy() && a.reducedMotion.Get("matches").Bool()
}

// setMotion follows the page's motion checkbox.
func (a *App) setMotion(on bool) {
	a.motion = map[bool]string{true: "on", false: "off"}[on]
	a.saveSetting("playground.motion", a.motion)
	a.invalidate()
}

// toggleTheme switches between the dark and the light theme.
func (a *App) toggleTheme() {
	root := a.document.DocumentElement()
	theme := "dark"
	if root.GetAttribute("data-theme") == "dark" {
		theme = "light"
	}
	root.SetAttribute("data-theme", theme)
	a.saveSetting("playground.theme", theme)
	a.status("Theme: " + theme + ".")
}

// showHelp opens the keyboard help dialog.
func (a *App) showHelp() {
	if help := a.element("help"); help != nil && !help.Underlying().Get("open").Bool() {
		help.Underlying().Call("showModal")
	}
}

// setting reads a value from localStorage, "" when there is none or the
// browser refuses storage.
func (a *App) setting(key string) (value string) {
	defer func() {
		if recover() != nil {
			value = ""
		}
	}()
	stored := js.Global().Get("localStorage").Call("getItem", key)
	if stored.Type() != js.TypeString {
		return ""
	}
	return stored.String()
}

// saveSetting writes a value to localStorage when the browser allows.
func (a *App) saveSetting(key, value string) {
	defer func() { _ = recover() }()
	js.Global().Get("localStorage").Call("setItem", key, value)
}
