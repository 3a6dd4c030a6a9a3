package solver

// Infeasibility is a proven reason that no feasible plan exists.
type Infeasibility struct {
	Rule         string `json:"rule"`
	Region       string `json:"region,omitempty"`
	Discipline   string `json:"discipline,omitempty"`
	Municipality string `json:"municipality,omitempty"`
	Asset        string `json:"asset,omitempty"`
	Message      string `json:"message"`
}

// Precheck returns proven reasons that no feasible plan exists (empty = none found).
func Precheck(m *Model) []Infeasibility {
	return nil
}
