
BYJ1rNvz³«Kµ”§¡Š¥cye•œ|ŒRd¶FYDO}|­°hm“n‚‡m”˜¨“HgZ¤}‹