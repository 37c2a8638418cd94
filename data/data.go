// Package data embeds the data motcua ships with: the official holiday
// schedules (calendar/), the procedure catalogue (catalog/) and the demo
// commune (demo/). Administrators replace or extend them at run time; these
// are the starting point of a new installation.
package data

import "embed"

// FS holds the shipped data files.
//
//go:embed calendar catalog demo
var FS embed.FS
