## Staff cards
card-title = <b>📋 Report { $code }</b>
card-title-proof = <b>📸 Proof of completion { $code }</b>
card-status = Status: <b>{ $status }</b>
card-category = Category: { $category }
card-agency = Agency: { $agency }
card-location = Location: <a href="{ $map_url }">{ $latitude }, { $longitude }</a>
card-place = Place: { $place }
card-filed = Filed: { $at } (revision { $revision })
card-due = Due: <b>{ $due }</b>
card-reporter = Reporter: { $name }, { $phone }
card-reporter-name = Reporter: { $name }
card-description = Description: { $description }
card-proof-note = Completion note ({ $photos } photos): { $note }
card-last-action = Last: { $action } by { $name }, { $at }
card-last-note = Reason/note: { $note }
action-submit = submitted
action-forward = forwarded
action-return = returned
action-resubmit = resubmitted
action-withdraw = withdrawn by the reporter
action-send_back = sent back by the agency (not theirs)
action-start = work started
action-reassign = reassigned
action-resolve = reported done
action-reject_proof = proof rejected
action-close = closed
action-reopen = reopened

header-admin-card = { $resubmitted ->
    [True] 🔁 Report resubmitted after fixing
   *[other] 🆕 New report
}
header-admin-sent-back = ↩️ The agency sent { $code } back: { $reason }. Forward it elsewhere or return it to the reporter.
header-admin-reopened = ⚠️ The reporter reopened { $code }: { $reason }
header-admin-proof = ✅ The agency reports { $code } done. Check the proof, then close or reject it.
header-agency-card = 📥 New report for your agency
header-agency-proof-rejected = ✖️ The admin rejected the proof for { $code }: { $reason }. Please follow up again.

btn-verify-forward = ✅ Verify & forward
btn-return = ↩️ Return to reporter
btn-close-notify = ✔️ Close & notify reporter
btn-reject-proof = ✖️ Reject proof
btn-process = ▶️ Process
btn-not-ours = 🚫 Not ours
btn-done-proof = ✅ Done (send proof)
btn-back-card = ↩️ Back
btn-return-incomplete = Incomplete data
btn-return-not_authority = Not the city's authority
btn-return-duplicate = Duplicate
btn-return-not_complaint = Not a complaint
btn-return-other = Other reason (type it)
btn-show = Show { $code }
btn-proof-submit = 📨 Send proof
btn-proof-cancel = Cancel
return-reason-incomplete = The report's data is incomplete
return-reason-not_authority = Not the authority of the Tarakan City Government
return-reason-duplicate = The same report was already sent
return-reason-not_complaint = Not a public-service complaint

## One-line notices
coordinator-forwarded = 📨 { $code } ({ $category }) forwarded to { $agency }.
coordinator-sent-back = ↩️ { $code } sent back by { $agency }: { $reason }
coordinator-closed = ✔️ { $code } ({ $category }) completed and closed.
coordinator-reopened = ⚠️ { $code } reopened by the reporter: { $reason }
agency-reassigned-away = { $code } was reassigned to another agency; no further action needed.
admin-withdrawn = { $code } was withdrawn by the reporter.

## Queue and binding
queue =
    <b>Queue ({ $count })</b> — page { $page }/{ $pages }
    { $lines }
queue-line = • <code>{ $code }</code> — { $status } — { $category } — since { $since }
queue-empty = Nothing is waiting.
link-usage = Send /hubungkan CODE (a code from lapor-admin chat link-code).
link-done = This group is now bound as { $purpose } { $agency }.
purpose-admin = the complaint admin group
purpose-coordinator = the coordinator group
purpose-opd = the agency group
unbound-chat = The bot was added to the group "{ $title }" ({ $chat_id }) by { $by }, but that group is not bound. The bot stays silent there until it is bound (lapor-admin chat bind / link-code).

## Answers to presses
done-forward = Forwarded { $code }
done-reassign = Reassigned { $code }
done-return = Returned { $code }
done-start = { $code } in progress
done-close = { $code } closed; reporter notified
done-send_back = { $code } sent back to the admin
done-reject_proof = Proof for { $code } rejected
done-resolve = Proof for { $code } sent to the admin
ask-return = { $user }, reply to this message with the reason for returning { $code } to the reporter.
ask-send_back = { $user }, reply to this message with why { $code } is not your agency's.
ask-reject_proof = { $user }, reply to this message with why the proof for { $code } is rejected.
ask-resolve = { $user }, reply to this message with 1–5 proof photos for { $code } and a short note (a photo caption or a text message).
ask-placeholder = Reply here…
ask-not-you = This question is for the officer who pressed the button.
ask-text-needed = Please reply with the reason as text.
proof-hint = Reply with proof photos (1–5) and a short note.
proof-summary = Proof: { $count } photos. Note: { $note }
proof-missing-photo = At least 1 proof photo is still needed (reply to the question with a photo).
proof-missing-note = A short note is still needed (reply to the question with text).
proof-cancelled = Sending the proof was cancelled.

## Citizen notices
citizen-forwarded = 📨 Report <code>{ $code }</code> was verified and forwarded to <b>{ $agency }</b>. Due: { $due } (10 working days).
citizen-in-progress = 🛠 Report <code>{ $code }</code> is being worked on by { $agency }.
citizen-returned = ↩️ Report <code>{ $code }</code> was returned by the complaint admin. Reason: { $reason }
citizen-returned-incomplete = ↩️ Report <code>{ $code }</code> was returned as incomplete. Reason: { $reason }. Press "Fix &amp; resend" to complete it; the report number stays the same.
citizen-closed =
    ✅ <b>Report <code>{ $code }</code> has been handled</b> by { $agency }.
    Officer's note: { $note }
    How would you rate it? Choose 1–5 stars, or press "Not fixed" if the problem remains.
btn-fix-resend = ✏️ Fix & resend
btn-withdraw = 🗑 Withdraw report
btn-not-fixed = ❗ Not fixed
btn-withdraw-yes = Yes, withdraw
btn-withdraw-no = No
btn-skip-comment = Skip
withdraw-confirm = Withdraw this report? It will not be processed any further.
withdrawn = Report { $code } was withdrawn.
withdraw-kept = The report was not withdrawn.
rating-ask-comment = Thank you for the { $stars } rating. Add a comment (optional), or press Skip.
rating-ask-low = Your { $stars } rating is noted. What is still wrong? Write briefly; the report will be reopened for the admin.
rating-thanks = Thank you! Your rating for report { $code } is saved.
rating-reopened = Report { $code } was reopened and will be reviewed by the complaint admin. Thank you for telling us.
not-fixed-ask = What is still wrong with report { $code }? Write briefly; the report will be reopened.
followup-text-needed = Please write your answer as text.
intake-resubmitted = ✅ Report <code>{ $code }</code> resubmitted (revision { $revision }). Verification by <b>{ $due }</b>.
intake-fix-intro = Fix report { $code }: press ✏️ Edit to change what was missing, then 📨 Send report.

## Errors
error-not-allowed = You are not allowed to do this.
error-reason-required = A reason is required.
error-reason-long = The reason is too long (at most { $max } characters).
error-agency-unknown = Unknown or inactive agency.
error-proof-photo-required = A proof needs 1 to 5 photos.
error-proof-note-required = A proof needs a short note.
error-rating-range = A rating is 1 to 5 stars.
error-not-fixed-too-late = More than 7 days have passed since the report was closed; please file a new report.
error-agency-code = Agency code "{ $code }" is not valid (capital letters/digits, 2–16 characters).
error-agency-name = The agency name is required.
error-agency-exists = Agency { $code } already exists.
error-staff-role = A staff role is admin, coordinator, opd or superadmin.
error-staff-agency = opd staff need exactly one agency; other roles none.
error-chat-agency = An opd group needs an agency; other groups none.
error-link-code = The code is invalid, already used, or expired.
ask-resolve-private = Proof of completion for { $code }: reply to this message here with 1–5 photos and a short note (or reply to the question in the agency group).
