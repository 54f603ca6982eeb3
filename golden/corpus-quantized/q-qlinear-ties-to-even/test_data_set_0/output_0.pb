
BYJ2}r~xv|‡txuxyv„~wz}tx€vltyoxxumvrxpuu€~nry„„zx~vv