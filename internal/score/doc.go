// Package score computes the Decision 766 service-quality index
// (vietnam-rules.md §5) from motcua's own data, per commune, province,
// procedure and field, for any date range, with the 2022 five-group or the
// current six-group weights.
//
// # How it is kept
//
// Each dossier's contribution is a fact (score_facts): agency, procedure,
// field, channel, received and finished times, when it counts late and why,
// supplements, online with an e-result, paid online, digitised, reused,
// population data. The dossier engine calls the service's observer in the
// same transaction as every write (submit, action, import, scans added), which
// rewrites the fact and moves the sums in score_daily by the difference:
// a row per agency, procedure and day, and one per month (day yyyymm). An
// index reads sums, never dossiers; Recompute rebuilds facts and sums from
// the dossiers and their history, and a test checks the two always agree.
//
// # Reading of §5 (where the text leaves a choice)
//
//   - 2.1: the dossiers handled in the period are those received by its end
//     and not finished before its start. A dossier is late if it finished
//     after its due date (which the engine moves by the time spent waiting
//     for the citizen: supplement time deducted), or asked more than once
//     for a supplement (late from the second request), or, unfinished at the
//     period's end, is past its due date then. One waiting on a single
//     supplement request is measured at the request date. The due date used
//     is the dossier's current one (after an apology, the new date).
//   - 3.3, 3.6, 4.2–4.5b count dossiers received in the period; 4.1 and 2.2
//     count those completed (status 9 or 10) in it; 5.4 those finished in it.
//   - 3.3 is online only with an e-result where the result is a paper
//     document, so an online dossier still in progress does not count yet;
//     the sync-rate factor is 1 (motcua is the record).
//   - 3.1, 3.2, 3.5, 3.5b, 4.5a count procedures of the catalogue in force on
//     the period's last day; for a province, (commune, procedure) pairs.
//   - 1.1 and 1.2 are for ministries and provinces: not applicable to a
//     commune. 1.4 (national portal sync) and the electronic certified copy
//     ("4.6" here; §5 gives it no number nor formula) need data motcua does
//     not hold: no_data. They are shown, never counted as zero; Total is the
//     sum of computed scores and MaxAvailable what those could give.
//   - 5.2 and 5.3 come from the feedback service's figures; 5.4 combines the
//     engine's own late count with feedback's "disliked or petitioned".
//   - A denominator of zero makes an indicator not_applicable, except 5.2
//     and 5.3 (full marks with no PAKN) and 5.4 (0 with no dossier).
package score
