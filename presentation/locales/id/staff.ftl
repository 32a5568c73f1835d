## Staff cards
card-title = <b>📋 Laporan { $code }</b>
card-title-proof = <b>📸 Bukti penyelesaian { $code }</b>
card-status = Status: <b>{ $status }</b>
card-category = Kategori: { $category }
card-agency = Dinas: { $agency }
card-location = Lokasi: <a href="{ $map_url }">{ $latitude }, { $longitude }</a>
card-place = Tempat: { $place }
card-filed = Masuk: { $at } (revisi { $revision })
card-due = Batas waktu: <b>{ $due }</b>
card-reporter = Pelapor: { $name }, { $phone }
card-reporter-name = Pelapor: { $name }
card-description = Keterangan: { $description }
card-proof-note = Catatan penyelesaian ({ $photos } foto): { $note }
card-last-action = Terakhir: { $action } oleh { $name }, { $at }
card-last-note = Alasan/catatan: { $note }
action-submit = dikirim
action-forward = diteruskan
action-return = dikembalikan
action-resubmit = dikirim ulang
action-withdraw = ditarik pelapor
action-send_back = dikembalikan dinas (bukan wewenang)
action-start = mulai dikerjakan
action-reassign = dialihkan
action-resolve = dilaporkan selesai
action-reject_proof = bukti ditolak
action-close = ditutup
action-reopen = dibuka kembali

header-admin-card = { $resubmitted ->
    [True] 🔁 Laporan dikirim ulang setelah diperbaiki
   *[other] 🆕 Laporan baru masuk
}
header-admin-sent-back = ↩️ Dinas mengembalikan laporan { $code }: { $reason }. Teruskan ke dinas lain atau kembalikan ke pelapor.
header-admin-reopened = ⚠️ Pelapor membuka kembali laporan { $code }: { $reason }
header-admin-proof = ✅ Dinas melaporkan { $code } selesai. Periksa bukti, lalu tutup atau tolak.
header-agency-card = 📥 Laporan baru untuk dinas Anda
header-agency-proof-rejected = ✖️ Bukti penyelesaian { $code } ditolak admin: { $reason }. Mohon tindak lanjuti lagi.

btn-verify-forward = ✅ Verifikasi & teruskan
btn-return = ↩️ Kembalikan ke pelapor
btn-close-notify = ✔️ Tutup & kabari pelapor
btn-reject-proof = ✖️ Tolak bukti
btn-process = ▶️ Proses
btn-not-ours = 🚫 Bukan wewenang kami
btn-done-proof = ✅ Selesai (kirim bukti)
btn-back-card = ↩️ Kembali
btn-return-incomplete = Data tidak lengkap
btn-return-not_authority = Bukan kewenangan Pemkot
btn-return-duplicate = Laporan ganda
btn-return-not_complaint = Bukan pengaduan
btn-return-other = Alasan lain (ketik)
btn-show = Tampilkan { $code }
btn-proof-submit = 📨 Kirim bukti
btn-proof-cancel = Batal
return-reason-incomplete = Data laporan belum lengkap
return-reason-not_authority = Bukan kewenangan Pemerintah Kota Tarakan
return-reason-duplicate = Laporan yang sama sudah pernah dikirim
return-reason-not_complaint = Bukan pengaduan pelayanan publik

## One-line notices
coordinator-forwarded = 📨 { $code } ({ $category }) diteruskan ke { $agency }.
coordinator-sent-back = ↩️ { $code } dikembalikan oleh { $agency }: { $reason }
coordinator-closed = ✔️ { $code } ({ $category }) selesai dan ditutup.
coordinator-reopened = ⚠️ { $code } dibuka kembali oleh pelapor: { $reason }
agency-reassigned-away = { $code } dialihkan ke dinas lain; tidak perlu ditindaklanjuti lagi.
admin-withdrawn = { $code } ditarik oleh pelapor.

## Queue and binding
queue =
    <b>Antrian ({ $count })</b> — halaman { $page }/{ $pages }
    { $lines }
queue-line = • <code>{ $code }</code> — { $status } — { $category } — sejak { $since }
queue-empty = Tidak ada laporan yang menunggu.
link-usage = Kirim /hubungkan KODE (kode dari lapor-admin chat link-code).
link-done = Grup ini sekarang terhubung sebagai { $purpose } { $agency }.
purpose-admin = grup admin pengaduan
purpose-coordinator = grup koordinator
purpose-opd = grup dinas
unbound-chat = Bot ditambahkan ke grup "{ $title }" ({ $chat_id }) oleh { $by }, tetapi grup itu belum terhubung. Bot diam di sana sampai grup dihubungkan (lapor-admin chat bind / link-code).

## Answers to presses
done-forward = Diteruskan { $code }
done-reassign = Dialihkan { $code }
done-return = Dikembalikan { $code }
done-start = { $code } sedang diproses
done-close = { $code } ditutup; pelapor dikabari
done-send_back = { $code } dikembalikan ke admin
done-reject_proof = Bukti { $code } ditolak
done-resolve = Bukti { $code } terkirim ke admin
ask-return = { $user }, balas pesan ini dengan alasan pengembalian { $code } untuk pelapor.
ask-send_back = { $user }, balas pesan ini dengan alasan { $code } bukan wewenang dinas Anda.
ask-reject_proof = { $user }, balas pesan ini dengan alasan bukti { $code } ditolak.
ask-resolve = { $user }, balas pesan ini dengan 1–5 foto bukti penyelesaian { $code } dan catatan singkat (keterangan foto atau pesan teks).
ask-placeholder = Balas di sini…
ask-not-you = Pertanyaan ini ditujukan kepada petugas yang menekan tombol.
ask-text-needed = Mohon balas dengan teks alasan.
proof-hint = Balas dengan foto bukti (1–5) dan catatan singkat.
proof-summary = Bukti: { $count } foto. Catatan: { $note }
proof-missing-photo = Masih perlu minimal 1 foto bukti (balas pesan pertanyaan dengan foto).
proof-missing-note = Masih perlu catatan singkat (balas pesan pertanyaan dengan teks).
proof-cancelled = Pengiriman bukti dibatalkan.

## Citizen notices
citizen-forwarded = 📨 Laporan <code>{ $code }</code> sudah diverifikasi dan diteruskan ke <b>{ $agency }</b>. Batas penyelesaian: { $due } (10 hari kerja).
citizen-in-progress = 🛠 Laporan <code>{ $code }</code> sedang dikerjakan oleh { $agency }.
citizen-returned = ↩️ Laporan <code>{ $code }</code> dikembalikan oleh admin pengaduan. Alasan: { $reason }
citizen-returned-incomplete = ↩️ Laporan <code>{ $code }</code> dikembalikan karena belum lengkap. Alasan: { $reason }. Tekan "Perbaiki &amp; kirim ulang" untuk melengkapinya; nomor laporan tetap sama.
citizen-closed =
    ✅ <b>Laporan <code>{ $code }</code> selesai ditindaklanjuti</b> oleh { $agency }.
    Catatan petugas: { $note }
    Bagaimana penilaian Anda? Pilih 1–5 bintang, atau tekan "Belum beres" jika masalahnya belum selesai.
btn-fix-resend = ✏️ Perbaiki & kirim ulang
btn-withdraw = 🗑 Tarik laporan
btn-not-fixed = ❗ Belum beres
btn-withdraw-yes = Ya, tarik laporan
btn-withdraw-no = Tidak
btn-skip-comment = Lewati
withdraw-confirm = Tarik laporan ini? Laporan tidak akan diproses lagi.
withdrawn = Laporan { $code } sudah ditarik.
withdraw-kept = Laporan tidak ditarik.
rating-ask-comment = Terima kasih atas penilaian { $stars }. Tambahkan komentar (opsional), atau tekan Lewati.
rating-ask-low = Penilaian { $stars } dicatat. Apa yang belum beres? Tulis singkat; laporan akan dibuka kembali untuk admin.
rating-thanks = Terima kasih! Penilaian untuk laporan { $code } sudah disimpan.
rating-reopened = Laporan { $code } dibuka kembali dan akan diperiksa admin pengaduan. Terima kasih atas masukan Anda.
not-fixed-ask = Apa yang belum beres pada laporan { $code }? Tulis singkat; laporan akan dibuka kembali.
followup-text-needed = Mohon tulis jawabannya sebagai teks.
intake-resubmitted = ✅ Laporan <code>{ $code }</code> dikirim ulang (revisi { $revision }). Verifikasi paling lambat <b>{ $due }</b>.
intake-fix-intro = Perbaiki laporan { $code }: tekan ✏️ Ubah untuk mengganti bagian yang kurang, lalu 📨 Kirim laporan.

## Errors
error-not-allowed = Anda tidak berwenang melakukan tindakan ini.
error-reason-required = Alasan wajib diisi.
error-reason-long = Alasan terlalu panjang (maksimal { $max } karakter).
error-agency-unknown = Dinas tidak dikenal atau tidak aktif.
error-proof-photo-required = Bukti memerlukan 1 sampai 5 foto.
error-proof-note-required = Bukti memerlukan catatan singkat.
error-rating-range = Penilaian harus 1 sampai 5 bintang.
error-not-fixed-too-late = Lebih dari 7 hari sejak laporan ditutup; silakan buat laporan baru.
error-agency-code = Kode dinas "{ $code }" tidak valid (huruf besar/angka, 2–16 karakter).
error-agency-name = Nama dinas wajib diisi.
error-agency-exists = Dinas { $code } sudah ada.
error-staff-role = Peran petugas harus admin, coordinator, opd, atau superadmin.
error-staff-agency = Petugas opd wajib punya satu dinas; peran lain tidak.
error-chat-agency = Grup opd wajib punya dinas; grup lain tidak.
error-link-code = Kode tidak valid, sudah dipakai, atau kedaluwarsa.
ask-resolve-private = Bukti penyelesaian { $code }: balas pesan ini di sini dengan 1–5 foto dan catatan singkat (atau balas pertanyaan di grup dinas).
