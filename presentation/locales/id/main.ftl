## Menu
menu-report = 📝 Buat laporan
menu-my-reports = 📋 Laporan saya
menu-profile = 👤 Profil
menu-help = ❓ Bantuan
menu-hint = Pilih menu di bawah.

## Start and registration
welcome =
    Selamat datang di <b>LAPOR! Kota Tarakan</b> 👋
    Layanan pengaduan masyarakat Pemerintah Kota Tarakan (SP4N-LAPOR!), dikelola Dinas Komunikasi, Informatika, Statistik dan Persandian.
    Laporkan masalah di sekitar Anda (jalan rusak, sampah, banjir, lampu jalan, dan lainnya) dengan foto dan lokasi. Laporan diverifikasi dalam 3 hari kerja, lalu diteruskan ke dinas yang berwenang.
    Bahasa: /bahasa
welcome-back = Selamat datang kembali, { $name }! Pilih menu di bawah untuk membuat laporan atau melihat laporan Anda.
reg-consent =
    <b>Persetujuan data pribadi</b>
    Untuk menangani pengaduan, kami menyimpan nama, nomor telepon, foto, lokasi dan isi laporan Anda. Data ini hanya dipakai untuk menindaklanjuti pengaduan oleh petugas Pemerintah Kota Tarakan dan tidak dibagikan untuk keperluan lain. Dinas yang menangani laporan tidak melihat nomor telepon Anda.
    { privacy-rights }
    Apakah Anda setuju?
btn-agree = ✅ Setuju
btn-decline = ❌ Tidak setuju
reg-declined = Tanpa persetujuan, kami tidak dapat memproses pengaduan Anda. Ketik /start kapan saja jika berubah pikiran.
reg-ask-name = Siapa nama lengkap Anda? (2–100 huruf)
reg-ask-phone =
    Bagikan nomor telepon Anda dengan tombol <b>📱 Bagikan nomor telepon</b> di bawah,
    atau ketik nomornya (contoh: 0812 3456 7890 atau +62 812 3456 7890).
btn-share-phone = 📱 Bagikan nomor telepon
reg-phone-ok = Nomor telepon diterima.
reg-confirm =
    Mohon periksa data Anda:
    Nama: <b>{ $name }</b>
    Telepon: <b>{ $phone }</b>
    Sudah benar?
btn-confirm = ✅ Benar
btn-edit = ✏️ Ubah
reg-done = Terima kasih, { $name }! Pendaftaran selesai. Sekarang Anda dapat membuat laporan.
reg-cancelled = Pendaftaran dibatalkan. Ketik /start untuk memulai lagi.
hint-reg-consent = Silakan tekan salah satu tombol: Setuju atau Tidak setuju.
hint-reg-name = Silakan ketik nama lengkap Anda sebagai teks.
hint-reg-phone = Silakan bagikan nomor Anda dengan tombol di bawah, atau ketik nomornya.
hint-reg-confirm = Silakan tekan ✅ Benar atau ✏️ Ubah.
error-contact-not-own = Mohon bagikan nomor telepon Anda sendiri (tombol 📱 di bawah), bukan kontak orang lain.
profile =
    <b>Profil Anda</b>
    Nama: { $name }
    Telepon: { $phone }
    Terdaftar sejak: { $since }
profile-none = Anda belum terdaftar. Ketik /start untuk mendaftar.
btn-edit-profile = ✏️ Ubah profil

## Language
language-choose = Pilih bahasa / Choose a language:
language-set = Bahasa diubah ke Bahasa Indonesia.
language-next = Ketik /start untuk melanjutkan.

## Intake wizard
intake-start = Mari buat laporan baru. Setiap saat: /kembali untuk mundur satu langkah, /batal untuk membatalkan.
intake-photos = <b>Langkah 1 dari 5 — Foto.</b> Kirim 1 sampai { $max } foto kejadian (boleh sekaligus sebagai album).
intake-photos-received = 📷 Foto diterima ({ $count }/{ $max }).
intake-photos-more = Kirim foto lain, atau tekan Selesai.
intake-photos-full = Maksimal { $max } foto per laporan; foto tambahan tidak disimpan.
btn-photos-done = ✅ Selesai
intake-location =
    <b>Langkah 2 dari 5 — Lokasi.</b> Kirim titik lokasi kejadian: tekan <b>📍 Kirim lokasi saya</b>, atau pilih 📎 → Lokasi untuk menandai titik lain di peta.
    (Anda masih bisa menambah foto.)
btn-send-location = 📍 Kirim lokasi saya
intake-landmark = Lokasi diterima ✅. Tambahkan patokan agar petugas mudah menemukan (opsional), misalnya "depan SDN 001 Karang Anyar", atau tekan Lewati.
btn-skip = Lewati ➡️
intake-description = <b>Langkah 3 dari 5 — Keterangan.</b> Ceritakan apa yang terjadi (20–2.000 karakter): apa masalahnya, sejak kapan, dan dampaknya.
intake-category = <b>Langkah 4 dari 5 — Kategori.</b> Pilih kategori yang paling sesuai:
intake-category-chosen = Kategori: <b>{ $category }</b>
intake-review =
    <b>Langkah 5 dari 5 — Periksa laporan Anda</b>
    📷 Foto: { $photos }
    📍 Lokasi: <a href="{ $map_url }">{ $latitude }, { $longitude }</a>
    🏷 Patokan: { $landmark }
    🗂 Kategori: { $category }
    📝 Keterangan:
    { $description }
    Kirim laporan ini?
intake-review-photo = Pratinjau laporan Anda:
btn-send = 📨 Kirim laporan
btn-cancel = ❌ Batal
btn-edit-photos = 📷 Foto
btn-edit-location = 📍 Lokasi
btn-edit-description = 📝 Keterangan
btn-edit-category = 🗂 Kategori
btn-back-to-review = ↩️ Kembali
intake-submitted =
    ✅ <b>Laporan terkirim.</b>
    Nomor laporan Anda: <code>{ $code }</code>
    Simpan nomor ini untuk memantau laporan (/status { $code }).
    Selanjutnya: petugas admin pengaduan memverifikasi laporan paling lambat <b>{ $due }</b> (3 hari kerja), lalu meneruskannya ke dinas yang berwenang. Anda akan mendapat kabar di setiap tahap.
intake-resume = Anda punya draf laporan yang belum selesai. Lanjutkan draf itu atau mulai baru?
btn-resume = ▶️ Lanjutkan
btn-restart = 🔄 Mulai baru
intake-no-draft = Tidak ada draf laporan. Tekan 📝 Buat laporan untuk memulai.
intake-draft-kept = Draf laporan Anda tetap tersimpan. Lanjutkan dari langkah ini:
intake-cancel-confirm = Batalkan laporan ini? Draf akan dihapus.
btn-cancel-yes = Ya, batalkan
btn-cancel-no = Tidak, lanjutkan
intake-cancelled = Laporan dibatalkan dan draf dihapus.
intake-first-step = Ini langkah pertama. Ketik /batal untuk membatalkan laporan.
hint-photos = Langkah ini menunggu foto. Kirim foto kejadian (bukan stiker, pesan suara, atau teks).
hint-photo-not-image = Berkas ini bukan gambar (atau lebih dari 20 MB). Kirim foto, atau gambar JPG/PNG sebagai berkas.
hint-location = Langkah ini menunggu titik lokasi. Tekan 📍 Kirim lokasi saya, atau 📎 → Lokasi. Alamat yang diketik tidak dapat dipakai sebagai titik.
hint-landmark = Ketik patokan sebagai teks, atau tekan Lewati.
hint-description = Langkah ini menunggu keterangan berupa teks (20–2.000 karakter).
hint-category = Pilih kategori dengan menekan salah satu tombol.
hint-review = Periksa ringkasan laporan, lalu tekan Kirim, Ubah, atau Batal.
hint-edited = Pesan yang diedit tidak mengubah laporan. Jika ingin mengganti isian, kirim ulang sebagai pesan baru (atau pakai /kembali).

## Status
status-none = Anda belum punya laporan. Tekan 📝 Buat laporan untuk membuat laporan pertama.
status-list =
    <b>Laporan Anda ({ $count })</b>
    { $lines }
    Lihat rinciannya: /status NOMOR
status-line = • <code>{ $code }</code> — { $status } ({ $date })
status-detail =
    <b>Laporan { $code }</b>
    Status: <b>{ $status }</b>
    Kategori: { $category }
    Dibuat: { $created }
    Batas verifikasi: { $due }
    Lokasi: <a href="{ $map_url }">peta</a> — { $address }
    Foto: { $photos }
    Keterangan: { $description }
    <b>Riwayat</b>
    { $timeline }
timeline-line = • { $at } — { $status }: { $note }
status-submitted = Menunggu verifikasi
status-returned = Dikembalikan ke pelapor
status-forwarded = Diteruskan ke dinas
status-in_progress = Sedang dikerjakan
status-resolved = Selesai dikerjakan, menunggu pemeriksaan
status-closed = Selesai
status-withdrawn = Ditarik oleh pelapor

## Idle and help
help =
    <b>LAPOR! Kota Tarakan</b> — pengaduan masyarakat kepada Pemerintah Kota Tarakan.
    /lapor — buat laporan (foto, lokasi, keterangan, kategori)
    /status — laporan Anda; /status NOMOR — rincian satu laporan
    /profil — data Anda; /data_saya — semua data Anda dalam satu berkas; /hapus_data — hapus data Anda
    /bahasa — ganti bahasa
    /batal — batalkan laporan yang sedang dibuat; /kembali — mundur satu langkah
    Laporan diverifikasi dalam 3 hari kerja dan dikerjakan dinas terkait dalam 10 hari kerja.
idle-registered = Pilih menu di bawah: buat laporan, lihat laporan Anda, atau profil.
idle-unregistered = Ketik /start untuk mendaftar dan membuat laporan.
nothing-to-cancel = Tidak ada yang sedang dibuat, jadi tidak ada yang dibatalkan.

## Errors
error-generic = Maaf, permintaan ini tidak dapat diproses.
error-invalid-input = Isian tidak valid. Coba lagi.
error-unexpected = Maaf, terjadi gangguan. Data Anda tetap tersimpan; silakan coba lagi sebentar lagi.
error-stale-button = Tombol ini sudah tidak berlaku. Gunakan pesan terbaru.
error-not-registered = Sebelum membuat laporan, silakan daftar sekali (nama dan nomor telepon).
error-outside-area = Titik ini berada di luar wilayah Kota Tarakan, jadi tidak dapat ditangani Pemerintah Kota Tarakan. Kirim titik lokasi kejadian di Kota Tarakan.
error-location-invalid = Titik lokasi tidak valid. Kirim ulang dengan tombol 📍.
error-name-length = Nama harus { $min }–{ $max } karakter. Coba lagi.
error-name-characters = Nama hanya boleh berisi huruf, spasi dan tanda baca nama (titik, koma, tanda hubung, apostrof). Coba lagi.
error-phone-invalid = Nomor telepon tidak valid. Gunakan nomor Indonesia, misalnya 0812 3456 7890 atau +62 812 3456 7890.
error-description-short = Keterangan terlalu pendek ({ $length } karakter). Tulis minimal { $min } karakter agar petugas memahami masalahnya.
error-description-long = Keterangan terlalu panjang ({ $length } karakter). Maksimal { $max } karakter; mohon diringkas.
error-landmark-empty = Patokan kosong. Ketik patokan, atau tekan Lewati.
error-landmark-long = Patokan maksimal { $max } karakter.
error-language-unknown = Bahasa tidak tersedia.
error-photo-count = Laporan memerlukan 1 sampai { $max } foto.
error-category-unknown = Kategori tidak dikenal. Pilih dari tombol yang tersedia.
error-code-format = Nomor laporan tidak dikenali. Contoh: /status LPR-7KQM-X3RA
error-report-not-found = Laporan dengan nomor itu tidak ditemukan di antara laporan Anda.
error-transition-not-allowed = Tindakan ini tidak diizinkan untuk laporan ini.
error-already-handled = Sudah ditangani oleh { $name } pada { $at } (status: { $status }). Tidak ada yang diubah.
