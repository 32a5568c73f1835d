## Anonymous and confidential reports, duplicates, text rules (issue 10)

btn-anonymous-off = 🙈 Send anonymously
btn-anonymous-on = ✅ Anonymous (press to undo)
btn-confidential-off = 🔒 Keep the report confidential
btn-confidential-on = ✅ Confidential (press to undo)
anonymous-on = Anonymous: the agency will not see your name or number. The complaint admins can open them only when needed, and every opening is logged.
anonymous-off = The report goes with your name (your phone number stays with the complaint admins only).
confidential-on = Confidential: only the complaint admins and the agency handling it can see this report.
confidential-off = The report is no longer confidential.
intake-submitted-anonymous = 🙈 Sent anonymously: the agency does not see your name or number.
intake-submitted-confidential = 🔒 Confidential: only the complaint admins and the agency handling it see it.
status-anonymous = 🙈 Sent anonymously
status-confidential = 🔒 Confidential
error-description-no-words = Please tell us about the problem in words 🙂 For example what is broken, exactly where, and since when. Emoji or punctuation alone are not enough for the officers to understand it.

card-reporter-anonymous = Reporter: 🙈 anonymous
card-confidential = 🔒 <b>CONFIDENTIAL</b> — for the complaint admins and the agency handling it only
card-me-too = 👥 Also reported by: { $count } citizens
card-duplicate-of = Duplicate of: { $code }
anonymous-actor = the reporter (anonymous)
btn-show-identity = 👁 Show the reporter's identity
identity-shown = Reporter of { $code }: { $name }, { $phone }. This opening is logged under your name.
coordinator-confidential = 🔒 Confidential report { $code }: { $status }.

duplicates-offer =
    Is it the same problem as one of these reports near your location?

    { $lines }

    If so, pick it: you will receive every update on it without filing a new report.
duplicates-line = { $number }. <b>{ $code }</b> — ± { $distance } m, { $date }, { $status }: { $excerpt }
btn-duplicate-join = Yes, same as { $code }
btn-duplicate-none = No, mine is new
hint-duplicates = Pick one of the reports above, or press "No, mine is new".
duplicate-joined = Thank you! You now also report { $code } and will receive every update on it. Your draft was not sent as a new report.
subscriber-prefix = 📣 News of report { $code } you follow:
citizen-duplicate-follow = You will receive the updates of the same report { $code }.
error-duplicate-own = That is your own report.
error-duplicate-not-open = Report { $code } is no longer open; please send a new report.
error-duplicate-unknown = Report { $code } was not found. Reply again with the original report's code.
error-duplicate-self = A report cannot be a duplicate of itself. Reply with the original report's code.
error-duplicate-unusable = Report { $code } cannot be used as the original (confidential or withdrawn).

ask-duplicate = { $user }, reply to this message with the original report's code for { $code } (e.g. LPR-7KQM-X3RA).
ask-duplicate-nearby = Similar reports nearby: { $codes }
done-duplicate = { $code } returned as a duplicate of { $original }.
