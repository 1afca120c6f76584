// Package deals: a deal's life belongs to the server. Whatever door a stage
// change comes through (the record API from the board or the deal page, a
// JavaScript hook's $app.save, Go code, a future import), the model hooks
// here, inside the save's transaction:
//
//   - fill the pipeline from the stage when none is given, and refuse a
//     stage of another pipeline (400 naming stage);
//   - set the status from the stage's kind (won, lost, open otherwise);
//   - set stage_changed_at when the stage changes and on create;
//   - set closed_at when the deal becomes won or lost, clear it on reopen;
//   - require a lost reason to lose a deal and clear it on reopen or win;
//   - append a row to deal_stage_history (from, to, who, when, days in the
//     stage it left) for every stage a deal enters, its first included.
//
// The request hooks refuse stage_changed_at, status and closed_at from
// anyone but a superuser (the dashboard sends every field back), and hold a
// lost reason sent through the API to the list managers keep
// (lost_reasons, active ones). Code that brings past deals in (the demo,
// an import of another CRM's history) may give stage_changed_at and
// closed_at on create; every later change is the server's.
package deals
