package clienttest

// The server under test: the playground binary, built once per run, and
// `playground serve --kafka` started per test on free ports with its own
// data folder, stopped when the test ends.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kafka-playground/playground/static"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	// serveStartTimeout bounds the wait for the server's bootstrap line
	// and for its ports to accept.
	serveStartTimeout = 30 * time.Second
	// serveStopTimeout is how long a stopped server may take to exit
	// after SIGTERM before it is killed.
	serveStopTimeout = 10 * time.Second
	// portAttempts bounds the tries to find a free range of ports.
	portAttempts = 10
	// lowestBasePort and highestBasePort bound the base ports tried:
	// above the usual services, below the ephemeral range.
	lowestBasePort, highestBasePort = 20000, 32000
	// maxCapturedBytes bounds what is kept of a server's output.
	maxCapturedBytes = 1 << 20
	// topicReadyTimeout bounds the wait for a new topic to reach every
	// broker's metadata.
	topicReadyTimeout = 30 * time.Second
)

// bootstrapPrefix starts the line in which `playground serve --kafka`
// prints its brokers' PLAINTEXT addresses (an SSL line follows).
const bootstrapPrefix = "Kafka clients (PLAINTEXT): bootstrap.servers="

// errPortTaken says that the server could not listen on a port of the
// range it was given, which another process took meanwhile.
var errPortTaken = errors.New("a port of the range was taken")

// playground is the binary built for this run, in a folder of its own.
var playground struct {
	once   sync.Once
	dir    string
	binary string
	err    error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "clienttest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	playground.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// need stops a test for want of a tool or a build output: a failure under
// CI=true, where `make test` installs and builds everything first, a skip
// with the reason elsewhere.
func need(t testing.TB, message string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(message)
	}
	t.Skip(message)
}

// moduleRoot is the repository's root, from this package's folder.
const moduleRoot = "../../.."

// goTool is the go command of the toolchain running the tests.
func goTool() string { return filepath.Join(runtime.GOROOT(), "bin", "go") }

// playgroundBinary builds cmd/playground once per test run and returns
// its path.
func playgroundBinary(t testing.TB) string {
	t.Helper()
	if !static.HasModule() {
		need(t, "the WebAssembly module is not built (static/dist/playground.wasm) and `playground serve` refuses to start without it: run `make wasm`")
	}
	playground.once.Do(func() {
		binary := filepath.Join(playground.dir, "playground")
		build := exec.Command(goTool(), "build", "-o", binary, "./cmd/playground")
		build.Dir = moduleRoot
		if output, err := build.CombinedOutput(); err != nil {
			playground.err = fmt.Errorf("go build ./cmd/playground: %v\n%s", err, output)
			return
		}
		playground.binary = binary
	})
	if playground.err != nil {
		t.Fatal(playground.err)
	}
	return playground.binary
}

// server is a running `playground serve --kafka`.
type server struct {
	// brokers are the bootstrap addresses it printed, broker 1 first.
	brokers []string
	command *exec.Cmd
	stdout  *watchedOutput
	stderr  *watchedOutput
	exited  chan struct{}
	stopped bool
}

// startServer starts `playground serve --kafka` with brokers brokers on a
// free range of ports and a data folder of the test's own, and flags
// after those, waits until every broker's port accepts connections, and
// stops it when the test ends.
func startServer(t testing.TB, brokers int, flags ...string) *server {
	t.Helper()
	binary := playgroundBinary(t)
	data := t.TempDir()
	for attempt := 1; ; attempt++ {
		base, err := freeBasePort(brokers)
		if err != nil {
			t.Fatal(err)
		}
		s, err := launch(binary, data, base, brokers, flags)
		if errors.Is(err, errPortTaken) && attempt < portAttempts {
			continue
		}
		if err != nil {
			t.Fatalf("playground serve --kafka --kafka-base-port %d: %v", base, err)
		}
		t.Cleanup(func() { s.stop(t) })
		if err := s.waitAccepting(); err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// freeBasePort picks a base port at random such that the ports base+1 to
// base+brokers can be listened on now.
func freeBasePort(brokers int) (int, error) {
	for attempt := 0; attempt < 100; attempt++ {
		base := lowestBasePort + rand.IntN(highestBasePort-lowestBasePort)
		free := true
		for id := 1; id <= brokers && free; id++ {
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base+id)))
			if err != nil {
				free = false
				continue
			}
			ln.Close()
		}
		if free {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no free range of %d ports between %d and %d", brokers, lowestBasePort, highestBasePort)
}

// launch starts the server and waits for its bootstrap line.
func launch(binary, data string, base, brokers int, flags []string) (*server, error) {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data,
		"--kafka", "--kafka-base-port", strconv.Itoa(base), "--kafka-brokers", strconv.Itoa(brokers)}, flags...)
	command := exec.Command(binary, args...)
	s := &server{command: command, stdout: newWatchedOutput(bootstrapPrefix), stderr: newWatchedOutput(""), exited: make(chan struct{})}
	command.Stdout, command.Stderr = s.stdout, s.stderr
	if err := command.Start(); err != nil {
		return nil, err
	}
	go func() {
		command.Wait()
		close(s.exited)
	}()
	select {
	case line := <-s.stdout.found:
		s.brokers = strings.Split(strings.TrimPrefix(line, bootstrapPrefix), ",")
	case <-s.exited:
		if strings.Contains(s.stderr.String(), "address already in use") {
			return nil, errPortTaken
		}
		return nil, fmt.Errorf("exited (%v) before printing its brokers:\n%s", command.ProcessState, s.stderr.String())
	case <-time.After(serveStartTimeout):
		s.kill()
		return nil, fmt.Errorf("printed no %q line in %v; stdout:\n%s", bootstrapPrefix, serveStartTimeout, s.stdout.String())
	}
	for id := 1; id <= brokers; id++ {
		want := net.JoinHostPort("127.0.0.1", strconv.Itoa(base+id))
		if len(s.brokers) != brokers || s.brokers[id-1] != want {
			s.kill()
			return nil, fmt.Errorf("printed brokers %v, want %d brokers from %s", s.brokers, brokers, want)
		}
	}
	return s, nil
}

// waitAccepting waits until every broker's port accepts a connection.
func (s *server) waitAccepting() error {
	deadline := time.Now().Add(serveStartTimeout)
	for _, address := range s.brokers {
		for {
			socket, err := net.DialTimeout("tcp", address, time.Second)
			if err == nil {
				socket.Close()
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("broker at %s does not accept connections: %v", address, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

// seeds is the bootstrap list as one comma-separated string.
func (s *server) seeds() string { return strings.Join(s.brokers, ",") }

// siteLine is how serve's line with the address of its site begins.
const siteLine = "Kafka Playground at "

// site returns the server's HTTP address (http://host:port), "" before
// it printed it.
func (s *server) site() string {
	for _, line := range strings.Split(s.stdout.String(), "\n") {
		if address, found := strings.CutPrefix(line, siteLine); found && len(strings.Fields(address)) > 0 {
			return strings.TrimSuffix(strings.Fields(address)[0], "/")
		}
	}
	return ""
}

// stop ends the server with SIGTERM (SIGKILL if it does not exit in
// time); a server that exited by itself during the test fails it.
func (s *server) stop(t testing.TB) {
	t.Helper()
	select {
	case <-s.exited:
		t.Errorf("playground serve exited during the test (%v); stderr:\n%s", s.command.ProcessState, s.stderr.String())
		return
	default:
	}
	s.command.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(serveStopTimeout):
		t.Errorf("playground serve did not exit within %v of SIGTERM", serveStopTimeout)
		s.kill()
	}
	if t.Failed() && s.stderr.String() != "" {
		t.Logf("playground serve's stderr:\n%s", s.stderr.String())
	}
}

// kill ends the server with SIGKILL and waits for it.
func (s *server) kill() {
	s.command.Process.Kill()
	<-s.exited
}

// watchedOutput keeps the first maxCapturedBytes of a process's output
// and sends the first line that starts with prefix (when not empty) on
// found.
type watchedOutput struct {
	mu      sync.Mutex
	buffer  bytes.Buffer
	prefix  string
	scanned int
	found   chan string
}

func newWatchedOutput(prefix string) *watchedOutput {
	return &watchedOutput{prefix: prefix, found: make(chan string, 1)}
}

// Write keeps p, up to the limit, and looks for the prefixed line.
func (w *watchedOutput) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := maxCapturedBytes - w.buffer.Len(); room > 0 {
		w.buffer.Write(p[:min(len(p), room)])
	}
	for w.prefix != "" {
		rest := w.buffer.Bytes()[w.scanned:]
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			break
		}
		line := strings.TrimSpace(string(rest[:end]))
		w.scanned += end + 1
		if strings.HasPrefix(line, w.prefix) {
			w.found <- line
			w.prefix = ""
		}
	}
	return len(p), nil
}

// String returns what was kept.
func (w *watchedOutput) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buffer.String()
}

// adminClient is a franz-go client of the brokers, for setting up topics.
func adminClient(t testing.TB, brokers []string) *kgo.Client {
	t.Helper()
	client, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RetryTimeout(topicReadyTimeout))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return client
}

// createTopic creates a topic with franz-go through the brokers (the
// gateway's, or kfake's) and waits until every broker's Metadata lists it
// with a leader for each of its partitions, so that any client sees all
// of it at once.
func createTopic(t testing.TB, brokers []string, name string, partitions int32, replicationFactor int16) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), topicReadyTimeout)
	defer cancel()
	client := adminClient(t, brokers)
	req := kmsg.NewPtrCreateTopicsRequest()
	topic := kmsg.NewCreateTopicsRequestTopic()
	topic.Topic, topic.NumPartitions, topic.ReplicationFactor = name, partitions, replicationFactor
	req.Topics = append(req.Topics, topic)
	req.TimeoutMillis = int32(topicReadyTimeout.Milliseconds())
	resp, err := req.RequestWith(ctx, client)
	if err != nil {
		t.Fatalf("CreateTopics %s: %v", name, err)
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil {
		t.Fatalf("CreateTopics %s: %v", name, err)
	}
	metadata, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, client)
	if err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	if len(metadata.Brokers) != len(brokers) {
		t.Fatalf("Metadata lists %d brokers, want %d", len(metadata.Brokers), len(brokers))
	}
	for _, b := range metadata.Brokers {
		if err := waitTopicAt(ctx, client, b.NodeID, name, partitions); err != nil {
			t.Fatalf("topic %s at broker %d: %v", name, b.NodeID, err)
		}
	}
}

// waitTopicAt asks one broker for a topic's metadata until every
// partition has a leader.
func waitTopicAt(ctx context.Context, client *kgo.Client, broker int32, name string, partitions int32) error {
	req := kmsg.NewPtrMetadataRequest()
	topic := kmsg.NewMetadataRequestTopic()
	topic.Topic = kmsg.StringPtr(name)
	req.Topics = append(req.Topics, topic)
	var last error
	for {
		resp, err := req.RequestWith(ctx, client.Broker(int(broker)))
		if err == nil {
			last = topicReady(resp, partitions)
			if last == nil {
				return nil
			}
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%v (last: %v)", ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// topicReady says what, if anything, a Metadata answer for one topic
// still lacks.
func topicReady(resp *kmsg.MetadataResponse, partitions int32) error {
	if len(resp.Topics) != 1 {
		return fmt.Errorf("%d topics in the answer", len(resp.Topics))
	}
	topic := resp.Topics[0]
	if err := kerr.ErrorForCode(topic.ErrorCode); err != nil {
		return err
	}
	if int32(len(topic.Partitions)) != partitions {
		return fmt.Errorf("%d partitions of %d", len(topic.Partitions), partitions)
	}
	for _, p := range topic.Partitions {
		if err := kerr.ErrorForCode(p.ErrorCode); err != nil || p.Leader < 0 {
			return fmt.Errorf("partition %d: leader %d, %v", p.Partition, p.Leader, err)
		}
	}
	return nil
}
