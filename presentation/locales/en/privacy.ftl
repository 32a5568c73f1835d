## Privacy rights (issue 10): consent versions, /data_saya, /hapus_data
privacy-rights = Your rights: /data_saya sends you all your data in one file, /hapus_data erases your data.
reconsent =
    The personal data consent text has changed. Before filing a new report, please read and agree again.

    { $consent }
reconsent-declined = Without consent no new report can be filed. Your earlier reports are still handled. Type /lapor if you change your mind.
reconsent-done = Thank you, your consent is recorded.
export-summary =
    <b>Your data at LAPOR! Kota Tarakan</b>
    Name: { $name }
    Phone: { $phone }
    Consent: { $consent } (version { $version })
    Reports: { $reports }
    The attached JSON file holds your profile, every report, its history and your photos' references.
export-caption = Everything we hold about you (JSON).
erase-confirm =
    <b>Erase your data?</b>
    Your profile (name, phone, consent) will be deleted. { $reports ->
        [0] You have never filed a report.
       *[other] Your { $reports } reports stay for the city's statistics, without your name, phone, description, photos or exact location.
    }
    { $withdraw ->
        [0] {""}
       *[other] ⚠️ Reports not yet processed will be <b>withdrawn</b>: { $withdraw_codes }
    }
    { $in_agency ->
        [0] {""}
       *[other] ⚠️ Reports an agency is working on continue, but you will hear nothing more about them: { $agency_codes }
    }
    This cannot be undone.
btn-erase-yes = 🗑 Yes, erase my data
btn-erase-no = No, keep it
erase-kept = Your data was not changed.
erase-done = Your data has been erased. { $withdrawn ->
        [0] {""}
       *[other] { $withdrawn } reports withdrawn.
    } Thank you for using LAPOR! Kota Tarakan. Type /start to register again.

## Abuse controls
blocked-notice = Sorry, your account cannot use this service for now. Contact Diskominfo Kota Tarakan if you think this is a mistake.
flood-notice = Your messages are arriving very fast 🙂 Please wait a moment, then try again.
daily-limit = You have filed { $max } reports in the last 24 hours. Please try again tomorrow — the reports you sent are being handled.
btn-block-citizen = 🚫 Block reporter
block-ask = { $user }, type the reason for blocking the reporter of { $code } (reply to this message).
block-done = The reporter of { $code } is blocked. Reason: { $reason }
btn-unblock-citizen = Unblock
unblock-done = The reporter of { $code } is unblocked.
block-anonymous = This report is anonymised; there is no reporter to block.
