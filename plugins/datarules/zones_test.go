package datarules

import "testing"

// Zones found once are kept (the zone file is not read at every save);
// names that are no zone are refused every time and never kept, so what
// people type cannot grow the set.
func TestZonesAreKeptOnlyWhenReal(t *testing.T) {
	for range 2 {
		if !knownZone("America/Manaus") {
			t.Fatal("America/Manaus was refused")
		}
		if knownZone("Atlantis/Capital") {
			t.Fatal("Atlantis/Capital was accepted")
		}
	}
	if _, kept := knownZones.Load("America/Manaus"); !kept {
		t.Error("a real zone was not kept")
	}
	if _, kept := knownZones.Load("Atlantis/Capital"); kept {
		t.Error("a name that is no zone was kept")
	}
}
