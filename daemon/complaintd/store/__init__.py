"""Storage: the peewee models, the connection and the migrations."""
