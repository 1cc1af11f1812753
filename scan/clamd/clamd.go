// Package clamd talks to ClamAV's daemon over its socket with the INSTREAM
// command, so that file contents from inside an image are scanned without
// ever being written where clamd could read them.
package clamd

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Client scans streams on one clamd. Its zero value is not usable; Addr must
// be "unix:/path", "tcp:host:port", a path starting with "/" or "host:port".
type Client struct {
	// Addr is the daemon's socket.
	Addr string
	// Timeout bounds one file's scan (connect to verdict).
	Timeout time.Duration
	// ChunkSize is the INSTREAM chunk length; clamd's StreamMaxLength caps
	// the whole stream, not the chunk.
	ChunkSize int
}

// Result is clamd's verdict on one stream.
type Result struct {
	// Infected is true when a signature matched.
	Infected bool
	// Signature is the matched signature name (e.g. "Eicar-Signature").
	Signature string
}

// ErrSizeLimit means clamd stopped reading because the stream exceeded its
// StreamMaxLength; the file was not fully scanned.
var ErrSizeLimit = errors.New("clamd: stream size limit exceeded")

func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	network, addr := "tcp", c.Addr
	switch {
	case strings.HasPrefix(addr, "unix:"):
		network, addr = "unix", addr[5:]
	case strings.HasPrefix(addr, "tcp:"):
		addr = addr[4:]
	case strings.HasPrefix(addr, "/"):
		network = "unix"
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// Ping checks that clamd answers.
func (c *Client) Ping(ctx context.Context) error {
	conn, err := c.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	setDeadline(ctx, conn, c.Timeout)
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString(0)
	if err != nil {
		return fmt.Errorf("clamd ping: %w", err)
	}
	if strings.TrimRight(line, "\x00") != "PONG" {
		return fmt.Errorf("clamd ping: unexpected answer %q", line)
	}
	return nil
}

func setDeadline(ctx context.Context, conn net.Conn, timeout time.Duration) {
	var dl time.Time
	if timeout > 0 {
		dl = time.Now().Add(timeout)
	}
	if d, ok := ctx.Deadline(); ok && (dl.IsZero() || d.Before(dl)) {
		dl = d
	}
	if !dl.IsZero() {
		_ = conn.SetDeadline(dl)
	}
}

// Scan streams r to clamd and returns its verdict.
func (c *Client) Scan(ctx context.Context, r io.Reader) (Result, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	setDeadline(ctx, conn, c.Timeout)
	// Close the connection when ctx ends so a blocked write returns.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	size := c.ChunkSize
	if size <= 0 {
		size = 1 << 20
	}
	buf := make([]byte, 4+size)
	copy(buf, "zINSTREAM\x00")
	if _, err := conn.Write(buf[:10]); err != nil {
		return Result{}, err
	}
	var werr error
	for {
		n, rerr := io.ReadFull(r, buf[4:])
		if n > 0 {
			binary.BigEndian.PutUint32(buf, uint32(n))
			if _, werr = conn.Write(buf[:4+n]); werr != nil {
				break // clamd may have closed early (size limit): read its answer
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return Result{}, rerr
		}
	}
	if werr == nil {
		_, werr = conn.Write([]byte{0, 0, 0, 0})
	}
	answer, err := io.ReadAll(io.LimitReader(conn, 64<<10))
	if len(answer) == 0 {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		return Result{}, errors.Join(fmt.Errorf("clamd: no answer"), werr, err)
	}
	return ParseResponse(string(answer))
}

// ParseResponse decodes clamd's reply to one INSTREAM command:
// "stream: OK", "stream: NAME FOUND", or "... ERROR".
func ParseResponse(s string) (Result, error) {
	s = strings.TrimRight(s, "\x00\n\r ")
	if strings.Contains(s, "size limit exceeded") {
		return Result{}, ErrSizeLimit
	}
	// With IDSESSION a reply is prefixed "N: stream: "; signature names
	// never contain ": ", so the verdict follows the last one.
	i := strings.LastIndex(s, ": ")
	if i < 0 {
		return Result{}, fmt.Errorf("clamd: malformed reply %q", s)
	}
	body := s[i+2:]
	switch {
	case body == "OK":
		return Result{}, nil
	case strings.HasSuffix(body, " FOUND"):
		sig := strings.TrimSpace(strings.TrimSuffix(body, " FOUND"))
		if sig == "" {
			return Result{}, fmt.Errorf("clamd: malformed reply %q", s)
		}
		return Result{Infected: true, Signature: sig}, nil
	case strings.HasSuffix(body, " ERROR"):
		return Result{}, fmt.Errorf("clamd: %s", strings.TrimSuffix(body, " ERROR"))
	}
	return Result{}, fmt.Errorf("clamd: unexpected reply %q", s)
}
