
BXJñÊLý“fçû©ŸÏdd‰in“Q#ßÓF