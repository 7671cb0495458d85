//go:build js && wasm

package ui

import (
	"errors"

	"honnef.co/go/js/dom/v2"

	"github.com/kafka-playground/playground/core/link"
	"github.com/kafka-playground/playground/core/scenario"
)

// clearErrors hides every error of a form and its status line.
func (a *App) clearErrors(form dom.Element, name string) {
	for _, el := range form.QuerySelectorAll(".field-error, .form-error") {
		el.SetTextContent("")
		el.SetAttribute("hidden", "")
	}
	for _, el := range form.QuerySelectorAll("[aria-invalid]") {
		el.RemoveAttribute("aria-invalid")
	}
	a.setText("status-"+name, "")
}

// showError shows why a form's action was refused: beside the field the
// error names when the form has it, else under the form.
func (a *App) showError(form string, err error) {
	field, message := errorField(err)
	slot := a.element("err-" + form + "-" + field)
	if field == "" || slot == nil {
		slot = a.element("err-" + form)
		if field != "" {
			message = field + ": " + message
		}
	}
	if slot == nil {
		a.status("✕ " + message)
		return
	}
	slot.SetTextContent(message)
	slot.RemoveAttribute("hidden")
	if formElement := a.element("form-" + form); formElement != nil {
		for _, input := range formElement.QuerySelectorAll(`[aria-describedby~="err-` + form + "-" + field + `"]`) {
			input.SetAttribute("aria-invalid", "true")
		}
		if first, ok := formElement.QuerySelector(`[aria-invalid="true"]`).(dom.HTMLElement); ok && first != nil {
			first.Focus()
		}
	}
}

// errorField returns the field an error names and its message.
func errorField(err error) (field, message string) {
	var fieldError *FieldError
	var scenarioError *scenario.Error
	var linkError *link.Error
	switch {
	case errors.As(err, &fieldError):
		return fieldError.Field, fieldError.Message
	case errors.As(err, &linkError):
		return "", linkError.Message
	case errors.As(err, &scenarioError):
		return scenarioError.Field, scenarioError.Message
	}
	return "", err.Error()
}

// setFieldError shows message in an error slot; "" hides it.
func (a *App) setFieldError(id, message string) {
	el := a.element(id)
	if el == nil {
		return
	}
	el.SetTextContent(message)
	if message == "" {
		el.SetAttribute("hidden", "")
	} else {
		el.RemoveAttribute("hidden")
	}
}
