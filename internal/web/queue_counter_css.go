package web

import "net/http"

// queueStaffCSS styles the queue's staff pages (counter, manager, queue
// administration) on top of site.css and staff.css. Every colour pair
// meets WCAG AA on the page's background.
const queueStaffCSS = `/* The queue's staff pages. */
.qs-vh { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.qs-top { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; align-items: center; margin: 0 0 .75rem; }
.qs-meta { margin: 0; }
.qs-next-form { margin: .5rem 0 1rem; }
.qs-next { font-size: 1.5rem; min-height: 4.5rem; padding: .75rem 1.5rem; width: 100%; max-width: 34rem; }
.qs-next kbd, .qs-actions kbd { font-size: .8em; }
.qs-current { background: var(--panel); border-left: 8px solid var(--brand); padding: .75rem 1.25rem 1rem; margin: 1rem 0; }
.qs-current h2 { margin-top: .25rem; }
.qs-number { font-size: 6rem; font-weight: 800; line-height: 1; margin: .25rem 0 .75rem; letter-spacing: .04em; font-variant-numeric: tabular-nums; }
@media (max-width: 30rem) { .qs-number { font-size: 4.5rem; } .qs-next { font-size: 1.25rem; } }
.qs-facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .5rem 1rem; margin: 0 0 1rem; }
.qs-facts dt { font-weight: 700; font-size: .9rem; }
.qs-facts dd { margin: 0; }
.qs-actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
.qs-more-row { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: flex-start; }
.qs-more-row > p { margin: .5rem 0; }
details.qs-more { margin: .25rem 0; }
details.qs-more > summary { cursor: pointer; font-weight: 700; color: var(--link); padding: .6rem 0; min-height: 44px; }
details.qs-more[open] > summary { margin-bottom: .25rem; }
.qs-inline-form { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; background: #fff; border: 1px solid var(--border); padding: .75rem; border-radius: 4px; }
.qs-inline-form .hint { font-size: .9rem; }
.qs-label { font-size: 1.15rem; font-weight: 800; font-variant-numeric: tabular-nums; white-space: nowrap; }
.qs-table td.num, .qs-table th.num { text-align: right; font-variant-numeric: tabular-nums; }
.qs-row-actions form.inline { display: inline-block; margin: 0 .5rem .25rem 0; }
.qs-row-actions button { min-height: 44px; padding: .3rem .9rem; }
.qs-list { list-style: none; padding: 0; }
.qs-list li { padding: .5rem 0; border-bottom: 1px solid #d0d5dd; }
.qs-list form.inline { margin-left: .75rem; }
.qs-empty { font-size: 1.1rem; }
.tag.qs-prio { color: #fff; background: #5a2d82; border-color: #5a2d82; }
.tag.qs-here { color: #fff; background: var(--link); border-color: var(--link); }
.tag.qs-open { color: var(--ok); }
.tag.qs-closed { color: #fff; background: var(--danger); border-color: var(--danger); }
.tag.qs-warn { color: #000; background: #ffd166; border-color: #8a6d00; }
.qs-long { font-weight: 700; }
.qs-keys ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; }
.qs-checks { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: .25rem 0 .5rem; }
.qs-checks .check label, .qs-open-check label { display: inline; font-weight: 400; }
.qs-checks input, .qs-open-check input { min-height: 0; width: 1.2rem; height: 1.2rem; vertical-align: middle; }
.qs-counter-form fieldset { border: 1px solid var(--border); border-radius: 4px; margin: 0 0 1rem; padding: .5rem 1rem 1rem; }
.qs-counter-form legend { font-weight: 700; padding: 0 .25rem; }
.qs-open-check { margin: .25rem 0 .75rem; }
fieldset.qs-field { border: 0; border-top: 1px solid var(--border); margin: .75rem 0 0; padding: .5rem 0 0; }
fieldset.qs-field > legend { font-weight: 700; padding-right: .5rem; }
body.high-contrast .qs-current, body.high-contrast .qs-inline-form { background: #000; color: #fff; }
body.high-contrast .tag.qs-prio, body.high-contrast .tag.qs-here, body.high-contrast .tag.qs-closed { background: #000; color: #ffff00; border-color: #ffff00; }
body.high-contrast .tag.qs-open { color: #fff; }
body.high-contrast details.qs-more > summary { color: #ffff00; }
`

// GET /static/queue-staff.css
func queueStaffCSSHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write([]byte(queueStaffCSS))
}
