/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// A follow-up task after a call, a meeting or a visit.
// Switch: followups.enabled (on by default); followups.due_days sets when.
//
// When a staff member logs a call, meeting or visit through the API, an open
// task "Follow up: <subject>" (in the staff member's language: "Retorno: ..."
// in Portuguese) is created for them, due followups.due_days
// business days later at the same local time (a call on Friday at 15:00
// plus 2 is Tuesday at 15:00), linked to the same contact, deal and request.
// The request may opt out with `followup: false` or choose the time with
// `followup_due`. The task is written in the activity's transaction: both
// are saved or neither. Activities saved by Go code or other hooks get no
// follow-up unless they set the same marker.
if ($crm.enabled("followups")) {
  // Read the request's follow-up options: PocketBase ignores body keys that
  // are not fields, so they travel to the model hook on the record.
  onRecordCreateRequest((e) => {
    const body = e.requestInfo().body
    const errors = {}
    let propose = true
    let due = ""
    const opt = body.followup
    if (opt !== undefined && opt !== null) {
      const text = String(opt).trim().toLowerCase()
      if (typeof opt === "boolean") propose = opt
      else if (text === "true" || text === "false") propose = text === "true"
      else errors.followup = new ValidationError("validation_followup", "followup is true or false.")
    }
    const when = body.followup_due
    if (when !== undefined && when !== null && when !== "") {
      let parsed = null
      try {
        parsed = typeof when === "string" ? new DateTime(when) : null
      } catch (_) {
        parsed = null
      }
      if (!parsed || parsed.isZero()) {
        errors.followup_due = new ValidationError("validation_followup_due", "followup_due is a date and time, like 2026-12-01 15:00:00.000Z.")
      } else {
        due = parsed.string()
      }
    }
    if (Object.keys(errors).length > 0) {
      throw new BadRequestError("Invalid follow-up.", errors)
    }
    e.record.setRaw("@pbInternalVinculoFollowUp", { propose: propose, due: due })
    e.next()
  }, "activities")

  onRecordCreate((e) => {
    const ask = e.record.getRaw("@pbInternalVinculoFollowUp")
    const a = e.record
    const staff = a.getString("staff")
    if (!ask || !ask.propose || !staff || !["call", "meeting", "visit"].includes(a.getString("type"))) {
      return e.next()
    }
    e.app.runInTransaction((tx) => {
      e.app = tx
      e.next()

      const lib = require(`${__hooks}/lib.js`)
      let member = null
      try {
        member = tx.findRecordById("staff", staff)
      } catch (_) {
        // an unknown staff member: the business's language
      }
      const t = lib.texts[lib.languageOf(member)]
      let topic = a.getString("subject").trim()
      if (!topic) {
        topic = a.getString("type")
        try {
          topic = t.followUpWith(topic, tx.findRecordById("contacts", a.getString("contact")).getString("name"))
        } catch (_) {
          // no contact: the type alone
        }
      }
      const due = ask.due || $crm.addBusinessDays(a.getDateTime("occurred_at"), $crm.settings().followups.dueDays)
      $crm.createTask(
        {
          title: t.followUp(topic).slice(0, 300),
          due: due,
          assignee: staff,
          created_by: staff,
          contact: a.getString("contact"),
          company: a.getString("company"),
          deal: a.getString("deal"),
          case: a.getString("case"),
          activity: a.id,
        },
        { app: tx, actor: $crm.actorOf(a) },
      )
    })
  }, "activities")
}
