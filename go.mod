module github.com/mercato-oss/mercato

go 1.26.8
