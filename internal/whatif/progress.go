package whatif

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// IsTerminal reports whether w is a character device (a terminal), by its file mode.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// ProgressBar shows a batch's progress: on a terminal one bar redrawn in place
// ("[#####-----] 5/10  50%  ETA 1m20s"); elsewhere a plain line per change.
// The ETA counts only the variations solved in this run, so that results taken from
// the cache do not make it look faster than it is.
type ProgressBar struct {
	w     io.Writer
	tty   bool
	now   func() time.Time
	mu    sync.Mutex
	start time.Time
	// base is the number done at the first update (the cache hits).
	base, last int
	started    bool
	// open is true while the bar's line waits for its newline.
	open bool
}

// NewProgressBar writes to w, as a redrawn bar when tty is true.
func NewProgressBar(w io.Writer, tty bool) *ProgressBar {
	return &ProgressBar{w: w, tty: tty, now: time.Now}
}

// Update shows done of total; it fits RunOptions.Progress.
func (p *ProgressBar) Update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		p.started, p.start, p.base = true, p.now(), done
	} else if done == p.last {
		return
	}
	p.last = done
	line := p.line(done, total)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		p.open = true
		if done == total {
			fmt.Fprintln(p.w)
			p.open = false
		}
		return
	}
	fmt.Fprintln(p.w, line)
}

// Finish ends a bar left unfinished (an interrupted run) with a newline.
func (p *ProgressBar) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

func (p *ProgressBar) line(done, total int) string {
	const width = 30
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	eta := "ETA —"
	switch solved := done - p.base; {
	case done == total:
		eta = "done in " + roundDuration(p.now().Sub(p.start)).String()
	case solved > 0:
		per := p.now().Sub(p.start) / time.Duration(solved)
		eta = "ETA " + roundDuration(per*time.Duration(total-done)).String()
	}
	if !p.tty {
		return fmt.Sprintf("whatif: %d/%d variations done (%.0f%%), %s", done, total, pct, eta)
	}
	fill := 0
	if total > 0 {
		fill = width * done / total
	}
	return fmt.Sprintf("[%s%s] %d/%d %3.0f%%  %s", strings.Repeat("#", fill), strings.Repeat("-", width-fill), done, total, pct, eta)
}

func roundDuration(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
