
BXJ2bfgbfeeeafacbcacdfdbeeddgdafebgfedeefbbebeeeeegcbd