package contracts

// PortugueseName returns the name of an English built-in scenario's
// Portuguese twin, for the mutation tests.
func PortugueseName(en string) string {
	pairs, _ := twins()
	for _, p := range pairs {
		if p.en.Name == en {
			return p.pt.Name
		}
	}
	return ""
}
