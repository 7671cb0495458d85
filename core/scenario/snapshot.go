package scenario

import (
	"encoding/json"

	"github.com/kafka-playground/playground/core/snapshot"
)

func init() {
	// Step results and expectations hold values decoded from JSON.
	snapshot.RegisterType[json.Number]()
}
