## Deadlines: the clock on cards, reminders, overdue notices, escalation, reassign, digest
duration-days = { $count ->
    [one] 1 day
   *[other] { $count } days
}
duration-hours = { $count ->
    [one] 1 hour
   *[other] { $count } hours
}
duration-minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
sla-step-verify = verification
sla-step-agency_start = agency to start
sla-step-agency_finish = agency to finish
sla-step-document = documenting the result
sla-no-agency = Complaint admin (not forwarded yet)
sla-admin-steps = Complaint admin (verifying, documenting)
card-clock = ⏱ Due ({ $step }): <b>{ $due }</b>
card-clock-late = 🔴 Late by { $late } (as of { $at })
card-clock-paused = ⏸ The { $step } clock is paused: waiting for the reporter's correction
card-moved-away = ↪️ Reassigned to { $agency }; no further action needed here.
sla-reminder = ⏰ Reminder: report { $code } ({ $status }) — { $step } due { $due }.
sla-overdue = ⚠️ Overdue: report { $code } ({ $status }) — { $step } was due { $due }.
sla-escalation = 🚨 <b>Escalation: { $count } reports past their due time</b>
sla-escalation-line = • <code>{ $code }</code> — { $step }, due { $due }{ $new ->
    [yes] {" "}🆕
   *[no] {""}
}
sla-more = … and { $count } more lines.
sla-escalation-none = ✅ No report is past its due time.
sla-digest = 📊 <b>Summary of { $day }</b>: { $new } new, { $forwarded } forwarded, { $done } done, { $overdue } overdue now.
sla-digest-line = • { $agency }: { $new } new · { $forwarded } forwarded · { $done } done · { $overdue } overdue
sla-digest-empty = 📊 <b>Summary of { $day }</b>: no new reports, nothing overdue.
btn-reassign = ↪️ Reassign to another agency
btn-reassign-code = ↪️ Reassign { $code }
btn-reassign-cancel = ✖️ Cancel
reassign-ask = ↪️ Move report <code>{ $code }</code> (now with { $agency }) to which agency?
reassign-done = ✅ Report <code>{ $code }</code> moved to { $agency }.
reassign-cancelled = Moving <code>{ $code }</code> was cancelled.
citizen-reassigned = ↪️ Report <code>{ $code }</code> was moved to <b>{ $agency }</b>, the agency responsible for it.
