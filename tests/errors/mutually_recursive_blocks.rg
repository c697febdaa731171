resgraph 1
block ping() {
  relu -> pong
}
block pong() {
  relu -> ping
}
network bad
input 3x32x32
stem {
  ping
}
