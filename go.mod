module github.com/kafka-playground/playground

go 1.26.8
