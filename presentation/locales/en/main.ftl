## Menu
menu-report = 📝 New report
menu-my-reports = 📋 My reports
menu-profile = 👤 Profile
menu-help = ❓ Help
menu-hint = Choose from the menu below.

## Start and registration
welcome =
    Welcome to <b>LAPOR! Kota Tarakan</b> 👋
    The public complaint service of the Tarakan City Government (SP4N-LAPOR!), run by the Office of Communication, Informatics, Statistics and Encryption.
    Report problems around you (damaged roads, waste, flooding, street lights and more) with a photo and the location. Reports are verified within 3 working days and then forwarded to the responsible agency.
    Language: /bahasa
welcome-back = Welcome back, { $name }! Use the menu below to file a report or see your reports.
reg-consent =
    <b>Consent to personal data</b>
    To handle complaints we store your name, phone number, photos, location and what you report. Officers of the Tarakan City Government use it only to follow up your complaint; it is not shared for anything else. The agency handling a report does not see your phone number.
    { privacy-rights }
    Do you agree?
btn-agree = ✅ I agree
btn-decline = ❌ I do not agree
reg-declined = Without your consent we cannot process complaints. Type /start any time if you change your mind.
reg-ask-name = What is your full name? (2–100 letters)
reg-ask-phone =
    Share your phone number with the <b>📱 Share phone number</b> button below,
    or type it (for example 0812 3456 7890 or +62 812 3456 7890).
btn-share-phone = 📱 Share phone number
reg-phone-ok = Phone number received.
reg-confirm =
    Please check your details:
    Name: <b>{ $name }</b>
    Phone: <b>{ $phone }</b>
    Is this correct?
btn-confirm = ✅ Correct
btn-edit = ✏️ Edit
reg-done = Thank you, { $name }! You are registered and can file reports now.
reg-cancelled = Registration cancelled. Type /start to begin again.
hint-reg-consent = Please press one of the buttons: I agree or I do not agree.
hint-reg-name = Please type your full name as text.
hint-reg-phone = Please share your number with the button below, or type it.
hint-reg-confirm = Please press ✅ Correct or ✏️ Edit.
error-contact-not-own = Please share your own phone number (the 📱 button below), not someone else's contact.
profile =
    <b>Your profile</b>
    Name: { $name }
    Phone: { $phone }
    Registered since: { $since }
profile-none = You are not registered yet. Type /start to register.
btn-edit-profile = ✏️ Edit profile

## Language
language-choose = Pilih bahasa / Choose a language:
language-set = Language set to English.
language-next = Type /start to continue.

## Intake wizard
intake-start = Let's file a new report. At any time: /kembali goes back one step, /batal cancels.
intake-photos = <b>Step 1 of 5 — Photos.</b> Send 1 to { $max } photos of the problem (an album at once is fine).
intake-photos-received = 📷 Photos received ({ $count }/{ $max }).
intake-photos-more = Send another photo, or press Done.
intake-photos-full = At most { $max } photos per report; the extra photos were not kept.
btn-photos-done = ✅ Done
intake-location =
    <b>Step 2 of 5 — Location.</b> Send the location pin: press <b>📍 Send my location</b>, or choose 📎 → Location to mark another point on the map.
    (You can still add photos.)
btn-send-location = 📍 Send my location
intake-landmark = Location received ✅. Add a landmark so officers find it easily (optional), e.g. "in front of SDN 001 Karang Anyar", or press Skip.
btn-skip = Skip ➡️
intake-description = <b>Step 3 of 5 — Description.</b> Tell us what happened (20–2,000 characters): the problem, since when, and its impact.
intake-category = <b>Step 4 of 5 — Category.</b> Choose the best-fitting category:
intake-category-chosen = Category: <b>{ $category }</b>
intake-review =
    <b>Step 5 of 5 — Check your report</b>
    📷 Photos: { $photos }
    📍 Location: <a href="{ $map_url }">{ $latitude }, { $longitude }</a>
    🏷 Landmark: { $landmark }
    🗂 Category: { $category }
    📝 Description:
    { $description }
    Send this report?
intake-review-photo = Preview of your report:
btn-send = 📨 Send report
btn-cancel = ❌ Cancel
btn-edit-photos = 📷 Photos
btn-edit-location = 📍 Location
btn-edit-description = 📝 Description
btn-edit-category = 🗂 Category
btn-back-to-review = ↩️ Back
intake-submitted =
    ✅ <b>Report sent.</b>
    Your report number: <code>{ $code }</code>
    Keep it to follow your report (/status { $code }).
    Next: the complaint admin verifies it by <b>{ $due }</b> (3 working days) and forwards it to the responsible agency. You will hear from us at every step.
intake-resume = You have an unfinished draft report. Continue it or start over?
btn-resume = ▶️ Continue
btn-restart = 🔄 Start over
intake-no-draft = There is no draft. Press 📝 New report to start one.
intake-draft-kept = Your draft report is kept. Continue from this step:
intake-cancel-confirm = Cancel this report? The draft will be deleted.
btn-cancel-yes = Yes, cancel
btn-cancel-no = No, continue
intake-cancelled = Report cancelled and draft deleted.
intake-first-step = This is the first step. Type /batal to cancel the report.
hint-photos = This step needs a photo. Send a photo of the problem (not a sticker, voice message or text).
hint-photo-not-image = This file is not an image (or is over 20 MB). Send a photo, or a JPG/PNG image as a file.
hint-location = This step needs a location pin. Press 📍 Send my location, or 📎 → Location. A typed address cannot be used as a pin.
hint-landmark = Type a landmark as text, or press Skip.
hint-description = This step needs a text description (20–2,000 characters).
hint-category = Choose a category by pressing one of the buttons.
hint-review = Check the summary, then press Send, Edit or Cancel.
hint-edited = Editing a message does not change the report. To change an answer, send it again as a new message (or use /kembali).

## Status
status-none = You have no reports yet. Press 📝 New report to file your first one.
status-list =
    <b>Your reports ({ $count })</b>
    { $lines }
    For details: /status NUMBER
status-line = • <code>{ $code }</code> — { $status } ({ $date })
status-detail =
    <b>Report { $code }</b>
    Status: <b>{ $status }</b>
    Category: { $category }
    Filed: { $created }
    Verification due: { $due }
    Location: <a href="{ $map_url }">map</a> — { $address }
    Photos: { $photos }
    Description: { $description }
    <b>History</b>
    { $timeline }
timeline-line = • { $at } — { $status }: { $note }
status-submitted = Awaiting verification
status-returned = Returned to the reporter
status-forwarded = Forwarded to the agency
status-in_progress = Being worked on
status-resolved = Work done, awaiting review
status-closed = Completed
status-withdrawn = Withdrawn by the reporter

## Idle and help
help =
    <b>LAPOR! Kota Tarakan</b> — public complaints to the Tarakan City Government.
    /lapor — file a report (photos, location, description, category)
    /status — your reports; /status NUMBER — one report in detail
    /profil — your details; /data_saya — all your data in one file; /hapus_data — erase your data
    /bahasa — change language
    /batal — cancel the report being filed; /kembali — go back one step
    Reports are verified within 3 working days and handled by the agency within 10 working days.
idle-registered = Choose from the menu below: new report, your reports, or profile.
idle-unregistered = Type /start to register and file a report.
nothing-to-cancel = Nothing is being filed, so there is nothing to cancel.

## Errors
error-generic = Sorry, this request cannot be processed.
error-invalid-input = That is not valid. Please try again.
error-unexpected = Sorry, something went wrong. Your data is kept; please try again in a moment.
error-stale-button = This button is no longer active. Please use the latest message.
error-not-registered = Before filing a report, please register once (name and phone number).
error-outside-area = This point is outside Kota Tarakan, so the Tarakan City Government cannot act on it. Send the location of the problem within Kota Tarakan.
error-location-invalid = That location is not valid. Please send it again with the 📍 button.
error-name-length = The name must be { $min }–{ $max } characters. Please try again.
error-name-characters = A name may contain only letters, spaces and name punctuation (dot, comma, hyphen, apostrophe). Please try again.
error-phone-invalid = That phone number is not valid. Use an Indonesian number, e.g. 0812 3456 7890 or +62 812 3456 7890.
error-description-short = The description is too short ({ $length } characters). Write at least { $min } so officers understand the problem.
error-description-long = The description is too long ({ $length } characters). At most { $max }; please shorten it.
error-landmark-empty = The landmark is empty. Type one, or press Skip.
error-landmark-long = A landmark has at most { $max } characters.
error-language-unknown = That language is not available.
error-photo-count = A report needs 1 to { $max } photos.
error-category-unknown = Unknown category. Please choose one of the buttons.
error-code-format = That report number is not recognised. Example: /status LPR-7KQM-X3RA
error-report-not-found = No report with that number is among your reports.
error-transition-not-allowed = This action is not allowed for this report.
error-already-handled = Already handled by { $name } at { $at } (status: { $status }). Nothing was changed.
