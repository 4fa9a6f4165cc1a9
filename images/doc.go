// Package images maps devbox's engine-neutral image names onto each engine:
// "debian/12" is Docker's "debian:12" and Incus's "debian/12" (a local alias
// first, then the images: remote). Engine-native names pass through.
package images
