
BXJ	ÞtHÊ„Úwl