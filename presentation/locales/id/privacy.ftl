## Privacy rights (issue 10): consent versions, /data_saya, /hapus_data
privacy-rights = Hak Anda: /data_saya mengirim semua data Anda dalam satu berkas, /hapus_data menghapus data Anda.
reconsent =
    Teks persetujuan data pribadi telah diperbarui. Sebelum membuat laporan baru, mohon baca dan setujui lagi.

    { $consent }
reconsent-declined = Tanpa persetujuan, laporan baru tidak dapat dibuat. Laporan lama Anda tetap ditangani. Ketik /lapor jika berubah pikiran.
reconsent-done = Terima kasih, persetujuan Anda tercatat.
export-summary =
    <b>Data Anda di LAPOR! Kota Tarakan</b>
    Nama: { $name }
    Telepon: { $phone }
    Persetujuan: { $consent } (versi { $version })
    Laporan: { $reports }
    Berkas JSON terlampir berisi profil, semua laporan, riwayatnya, dan rujukan foto Anda.
export-caption = Semua data yang kami simpan tentang Anda (JSON).
erase-confirm =
    <b>Hapus data Anda?</b>
    Profil Anda (nama, telepon, persetujuan) akan dihapus. { $reports ->
        [0] Anda belum pernah membuat laporan.
       *[other] { $reports } laporan Anda tetap tersimpan untuk statistik kota, tanpa nama, telepon, keterangan, foto atau lokasi persis Anda.
    }
    { $withdraw ->
        [0] {""}
       *[other] ⚠️ Laporan yang belum diproses akan <b>ditarik</b>: { $withdraw_codes }
    }
    { $in_agency ->
        [0] {""}
       *[other] ⚠️ Laporan yang sedang dikerjakan dinas tetap dikerjakan, tetapi Anda tidak akan menerima kabar lagi: { $agency_codes }
    }
    Ini tidak dapat dibatalkan.
btn-erase-yes = 🗑 Ya, hapus data saya
btn-erase-no = Tidak, simpan
erase-kept = Data Anda tidak diubah.
erase-done = Data Anda telah dihapus. { $withdrawn ->
        [0] {""}
       *[other] { $withdrawn } laporan ditarik.
    } Terima kasih telah menggunakan LAPOR! Kota Tarakan. Ketik /start jika ingin mendaftar lagi.

## Abuse controls
blocked-notice = Maaf, akun Anda tidak dapat menggunakan layanan ini untuk sementara. Hubungi Diskominfo Kota Tarakan jika menurut Anda ini keliru.
flood-notice = Pesan Anda datang sangat cepat 🙂 Mohon tunggu sebentar, lalu coba lagi.
daily-limit = Anda sudah membuat { $max } laporan dalam 24 jam terakhir. Mohon coba lagi besok — laporan Anda yang sudah masuk tetap kami tangani.
btn-block-citizen = 🚫 Blokir pelapor
block-ask = { $user }, tuliskan alasan memblokir pelapor laporan { $code } (balas pesan ini).
block-done = Pelapor laporan { $code } diblokir. Alasan: { $reason }
btn-unblock-citizen = Buka blokir
unblock-done = Blokir pelapor laporan { $code } dibuka.
block-anonymous = Laporan ini sudah dianonimkan; tidak ada pelapor untuk diblokir.
