package engine

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/devbox-dev/devbox/envfile"
)

// Copier copies files and directories (recursively) between the host and
// a service, as `docker compose cp` does (`devbox cp`). Container paths
// are absolute (ContainerPath). A destination that is an existing
// directory receives the source inside it under its own name; otherwise
// the source is created as the destination, whose parent must exist.
type Copier interface {
	// CopyTo copies hostPath into service at containerPath; what it
	// creates is owned by the container's root, modes kept.
	CopyTo(ctx context.Context, env *envfile.Environment, service, hostPath, containerPath string) error
	// CopyFrom copies containerPath out of service to hostPath; what it
	// creates is owned by the invoking user, modes kept.
	CopyFrom(ctx context.Context, env *envfile.Environment, service, containerPath, hostPath string) error
}

// CopySource resolves a CopyTo's host source (absolute, not followed if a
// symlink) and its container destination (ContainerPath, keeping a
// trailing / that says "into this directory").
func CopySource(hostPath, containerPath string) (src string, fi os.FileInfo, dst string, err error) {
	if src, err = filepath.Abs(hostPath); err != nil {
		return "", nil, "", err
	}
	if fi, err = os.Lstat(src); err != nil {
		return "", nil, "", fmt.Errorf("source %w", err)
	}
	dst = ContainerPath(containerPath)
	if strings.HasSuffix(containerPath, "/") && dst != "/" {
		dst += "/"
	}
	return src, fi, dst, nil
}

// ContainerPath makes a container path absolute: relative paths are
// relative to the container's root, as in `docker cp`.
func ContainerPath(p string) string { return path.Join("/", p) }

// CopyDest says where a copy of a source named base lands, given what is
// at dst (a slash-separated path, host or container): inside dst when it
// is a directory, else as dst itself. It returns the directory to unpack
// into and the name to give the source.
func CopyDest(base, dst string, dstExists, dstIsDir, srcIsDir bool) (parent, name string, err error) {
	switch {
	case dstExists && dstIsDir:
		return path.Clean(dst), base, nil
	case dstExists && srcIsDir:
		return "", "", fmt.Errorf("cannot copy a directory onto the file %s", dst)
	case strings.HasSuffix(dst, "/"):
		return "", "", fmt.Errorf("destination directory %s does not exist", dst)
	}
	clean := path.Clean(dst)
	return path.Dir(clean), path.Base(clean), nil
}

// HostDest is CopyDest for a host destination, which is made absolute and
// whose parent must exist.
func HostDest(base, hostPath string, srcIsDir bool) (parent, name string, err error) {
	dst, err := filepath.Abs(hostPath)
	if err != nil {
		return "", "", err
	}
	if strings.HasSuffix(hostPath, "/") {
		dst += "/"
	}
	fi, err := os.Stat(dst)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", "", err
	}
	parent, name, err = CopyDest(base, dst, err == nil, err == nil && fi.IsDir(), srcIsDir)
	if err != nil {
		return "", "", err
	}
	if pfi, err := os.Stat(parent); err != nil || !pfi.IsDir() {
		return "", "", fmt.Errorf("the directory %s does not exist", parent)
	}
	return parent, name, nil
}

// WriteTar writes hostPath (a file, a directory with everything under it,
// or a symbolic link, not followed) as a tar stream whose entries are
// name and name/…, owned by root, modes kept. Sockets and devices are
// skipped: they cannot be copied as data.
func WriteTar(w io.Writer, hostPath, name string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(hostPath, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(hostPath, p)
		if err != nil {
			return err
		}
		entry := path.Join(name, filepath.ToSlash(rel))
		return writeEntry(tw, p, entry, info)
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

func writeEntry(tw *tar.Writer, p, entry string, info fs.FileInfo) error {
	link := ""
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		l, err := os.Readlink(p)
		if err != nil {
			return err
		}
		link = l
	case !info.Mode().IsRegular() && !info.IsDir():
		return nil
	}
	h, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	h.Name, h.Uid, h.Gid, h.Uname, h.Gname = entry, 0, 0, "root", "root"
	if info.IsDir() {
		h.Name += "/"
	}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// ExtractTar unpacks a tar stream whose entries are from and from/… into
// dir, renaming from to to. It never writes outside dir: entries with ".."
// or absolute names are refused, and paths are resolved in an os.Root, so
// no symbolic link (in the archive or already in dir) leads out of it.
// What it creates belongs to the calling user; modes are kept.
func ExtractTar(r io.Reader, dir, from, to string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(r)
	type dirMode struct {
		name string
		mode fs.FileMode
	}
	var dirs []dirMode // chmod last, so read-only directories can be filled
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read archive: %w", err)
		}
		name, err := SafeEntry(h.Name, from, to)
		if err != nil {
			return err
		}
		mode := fs.FileMode(h.Mode) & fs.ModePerm
		switch h.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o700); err != nil {
				return err
			}
			dirs = append(dirs, dirMode{name, mode})
		case tar.TypeReg:
			if err := extractFile(root, name, mode, tr); err != nil {
				return err
			}
		case tar.TypeSymlink:
			_ = root.Remove(name)
			if err := root.Symlink(h.Linkname, name); err != nil {
				return err
			}
		case tar.TypeLink:
			// GNU tar and Docker store a file's second name as a hard link.
			target, err := SafeEntry(h.Linkname, from, to)
			if err != nil {
				return err
			}
			_ = root.Remove(name)
			if err := root.Link(target, name); err != nil {
				return err
			}
		default:
			// devices, fifos: not data, skipped
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := root.Chmod(dirs[i].name, dirs[i].mode); err != nil {
			return err
		}
	}
	return nil
}

func extractFile(root *os.Root, name string, mode fs.FileMode, r io.Reader) error {
	if d := path.Dir(name); d != "." {
		if err := root.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	// A symlink in the way is replaced, not written through.
	if fi, err := root.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if err := root.Remove(name); err != nil {
			return err
		}
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return root.Chmod(name, mode)
}

// SafeEntry checks a tar entry name and maps it from the archive's top
// name from to to: "from/a/b" → "to/a/b". Absolute names, ".." and
// entries outside from are refused.
func SafeEntry(name, from, to string) (string, error) {
	n := strings.TrimPrefix(name, "./")
	if n == "" || strings.HasPrefix(n, "/") {
		return "", fmt.Errorf("archive entry %q: absolute or empty path refused", name)
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", fmt.Errorf("archive entry %q: \"..\" refused", name)
		}
	}
	n = path.Clean(n)
	rest, ok := strings.CutPrefix(n, from)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", fmt.Errorf("archive entry %q is not under %q", name, from)
	}
	return to + rest, nil
}
