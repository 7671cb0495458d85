package fuzz

import "github.com/kafka-playground/playground/core/scenario"

// Shrink returns a smaller scenario for which fails still holds: it
// removes runs of steps, halving their length down to single steps (the
// delta debugging of Zeller's ddmin, one-sided), as long as fails stays
// true. Candidates that are not valid scenarios count as not failing.
// budget bounds how many candidates it tries.
func Shrink(s *scenario.Scenario, fails func(*scenario.Scenario) bool, budget int) *scenario.Scenario {
	best := s
	tries := 0
	for chunk := len(best.Steps) / 2; chunk >= 1; chunk /= 2 {
		for start := 0; start < len(best.Steps) && tries < budget; {
			end := min(start+chunk, len(best.Steps))
			candidate := withoutSteps(best, start, end)
			tries++
			if valid(candidate) && fails(candidate) {
				best = candidate
				continue // the next run now starts here
			}
			start = end
		}
		if tries >= budget {
			break
		}
	}
	return best
}

func withoutSteps(s *scenario.Scenario, start, end int) *scenario.Scenario {
	out := *s
	out.Steps = append(append([]scenario.Step(nil), s.Steps[:start]...), s.Steps[end:]...)
	return &out
}

// valid reports whether a scenario decodes: every client it names is
// added first, and so on.
func valid(s *scenario.Scenario) bool {
	data, err := scenario.Encode(s)
	if err != nil {
		return false
	}
	_, err = scenario.Decode("", data)
	return err == nil
}

// FailsLike returns the predicate "checking fails with one of these
// kinds", for Shrink.
func FailsLike(kinds []string) func(*scenario.Scenario) bool {
	return func(s *scenario.Scenario) bool {
		for _, k := range Check(s).Kinds() {
			for _, want := range kinds {
				if k == want {
					return true
				}
			}
		}
		return false
	}
}
