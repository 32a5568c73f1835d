## Anonymous and confidential reports, duplicates, text rules (issue 10)

btn-anonymous-off = 🙈 Kirim anonim
btn-anonymous-on = ✅ Anonim (tekan untuk membatalkan)
btn-confidential-off = 🔒 Rahasiakan laporan
btn-confidential-on = ✅ Rahasia (tekan untuk membatalkan)
anonymous-on = Anonim: dinas tidak akan melihat nama dan nomor Anda. Admin pengaduan hanya dapat membukanya bila perlu, dan setiap pembukaan dicatat.
anonymous-off = Laporan dikirim dengan nama Anda (nomor telepon tetap hanya untuk admin pengaduan).
confidential-on = Rahasia: hanya admin pengaduan dan dinas yang menangani yang dapat melihat laporan ini.
confidential-off = Laporan tidak lagi dirahasiakan.
intake-submitted-anonymous = 🙈 Dikirim anonim: dinas tidak melihat nama dan nomor Anda.
intake-submitted-confidential = 🔒 Dirahasiakan: hanya admin pengaduan dan dinas yang menangani yang melihatnya.
status-anonymous = 🙈 Dikirim anonim
status-confidential = 🔒 Dirahasiakan
error-description-no-words = Ceritakan masalahnya dengan kata-kata, ya 🙂 Misalnya apa yang rusak, di mana tepatnya, dan sejak kapan. Emoji atau tanda baca saja belum cukup bagi petugas untuk memahaminya.

card-reporter-anonymous = Pelapor: 🙈 anonim
card-confidential = 🔒 <b>RAHASIA</b> — hanya untuk admin pengaduan dan dinas yang menangani
card-me-too = 👥 Ikut melaporkan: { $count } warga
card-duplicate-of = Duplikat dari: { $code }
anonymous-actor = pelapor (anonim)
btn-show-identity = 👁 Tampilkan identitas pelapor
identity-shown = Pelapor { $code }: { $name }, { $phone }. Pembukaan ini dicatat atas nama Anda.
coordinator-confidential = 🔒 Laporan rahasia { $code }: { $status }.

duplicates-offer =
    Apakah masalahnya sama dengan salah satu laporan di dekat lokasi Anda ini?

    { $lines }

    Jika ya, pilih laporannya: Anda akan ikut menerima setiap kabarnya tanpa membuat laporan baru.
duplicates-line = { $number }. <b>{ $code }</b> — ± { $distance } m, { $date }, { $status }: { $excerpt }
btn-duplicate-join = Ya, sama dengan { $code }
btn-duplicate-none = Bukan, laporan saya baru
hint-duplicates = Pilih salah satu laporan di atas, atau tekan «Bukan, laporan saya baru».
duplicate-joined = Terima kasih! Anda sekarang ikut melaporkan { $code } dan akan menerima setiap kabarnya. Draf Anda tidak dikirim sebagai laporan baru.
subscriber-prefix = 📣 Kabar laporan { $code } yang Anda ikuti:
citizen-duplicate-follow = Anda akan menerima kabar laporan { $code } yang sama.
error-duplicate-own = Itu laporan Anda sendiri.
error-duplicate-not-open = Laporan { $code } sudah tidak terbuka; silakan kirim laporan baru.
error-duplicate-unknown = Laporan { $code } tidak ditemukan. Balas lagi dengan kode laporan asli.
error-duplicate-self = Laporan tidak dapat menjadi duplikat dirinya sendiri. Balas dengan kode laporan asli.
error-duplicate-unusable = Laporan { $code } tidak dapat dipakai sebagai laporan asli (rahasia atau ditarik).

ask-duplicate = { $user }, balas pesan ini dengan kode laporan asli untuk { $code } (contoh: LPR-7KQM-X3RA).
ask-duplicate-nearby = Laporan serupa di dekatnya: { $codes }
done-duplicate = { $code } dikembalikan sebagai duplikat dari { $original }.
