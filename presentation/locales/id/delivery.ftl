## Staff chats the bot cannot reach, and outbox rows that failed (handlers/delivery.py)

chat-unreachable =
    ⚠️ Bot tidak bisa mengirim pesan ke { $chat } (<code>{ $chat_id }</code>): { $reason }
    Menunggu untuk chat itu: { $count } pesan{ $codes }
    Tambahkan bot kembali ke grup itu, atau hubungkan grup lain (lapor-admin chat link-code / bind); pesan yang menunggu akan dikirim saat itu.
chat-back = ✅ { $chat } (<code>{ $chat_id }</code>) bisa dijangkau lagi; { $count } pesan yang menunggu sedang dikirim.
chat-codes = : { $codes }
delivery-trouble =
    ⚠️ Pesan ke chat <code>{ $chat_id }</code> tidak terkirim: { $count } pesan gagal atau tak terkirim{ $codes }
    Kesalahan terakhir: { $error }
    Lihat dan kirim ulang dengan: lapor-admin outbox
queue-unreachable = ⚠️ <b>Chat yang tidak terjangkau</b>
queue-unreachable-line = • { $chat } (<code>{ $chat_id }</code>) sejak { $since }: { $count } pesan menunggu{ $codes }
chat-label-admin = grup admin pengaduan
chat-label-coordinator = grup koordinator
chat-label-opd = grup dinas { $agency }
chat-removed-by = bot dikeluarkan dari grup (status { $status }) oleh { $by }
card-sending = ⏳ Laporan <code>{ $code }</code>: kartunya sedang dikirim…
chat-restricted-by = hak bot untuk mengirim pesan dicabut oleh { $by }
