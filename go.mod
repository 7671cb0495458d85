module github.com/kafka-playground/playground

go 1.26.8

require (
	github.com/coder/websocket v1.8.14
	github.com/mattn/go-sqlite3 v1.14.32
)
