## Deadlines: the clock on cards, reminders, overdue notices, escalation, reassign, digest
duration-days = { $count } hari
duration-hours = { $count } jam
duration-minutes = { $count } menit
sla-step-verify = verifikasi
sla-step-agency_start = mulai ditindaklanjuti dinas
sla-step-agency_finish = penyelesaian oleh dinas
sla-step-document = dokumentasi hasil
sla-no-agency = Admin Pengaduan (belum diteruskan)
sla-admin-steps = Admin Pengaduan (verifikasi, dokumentasi)
card-clock = ⏱ Batas { $step }: <b>{ $due }</b>
card-clock-late = 🔴 Terlambat { $late } (per { $at })
card-clock-paused = ⏸ Waktu { $step } berhenti sementara: menunggu perbaikan dari pelapor
card-moved-away = ↪️ Sudah dialihkan ke { $agency }; tidak perlu ditindaklanjuti lagi.
sla-reminder = ⏰ Pengingat: laporan { $code } ({ $status }) — batas { $step } { $due }.
sla-overdue = ⚠️ Lewat batas waktu: laporan { $code } ({ $status }) — batas { $step } { $due } sudah lewat.
sla-escalation = 🚨 <b>Eskalasi: { $count } laporan lewat batas waktu</b>
sla-escalation-line = • <code>{ $code }</code> — { $step }, batas { $due }{ $new ->
    [yes] {" "}🆕
   *[no] {""}
}
sla-more = … dan { $count } baris lagi.
sla-escalation-none = ✅ Tidak ada laporan yang lewat batas waktu.
sla-digest = 📊 <b>Ringkasan { $day }</b>: { $new } baru, { $forwarded } diteruskan, { $done } selesai, { $overdue } terlambat saat ini.
sla-digest-line = • { $agency }: { $new } baru · { $forwarded } diteruskan · { $done } selesai · { $overdue } terlambat
sla-digest-empty = 📊 <b>Ringkasan { $day }</b>: tidak ada laporan baru, tidak ada yang terlambat.
btn-reassign = ↪️ Alihkan ke dinas lain
btn-reassign-code = ↪️ Alihkan { $code }
btn-reassign-cancel = ✖️ Batal
reassign-ask = ↪️ Alihkan laporan <code>{ $code }</code> (sekarang di { $agency }) ke dinas mana?
reassign-done = ✅ Laporan <code>{ $code }</code> dialihkan ke { $agency }.
reassign-cancelled = Pengalihan <code>{ $code }</code> dibatalkan.
citizen-reassigned = ↪️ Laporan <code>{ $code }</code> dialihkan ke <b>{ $agency }</b> yang berwenang menanganinya.
