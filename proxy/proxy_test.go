package proxy

import (
	"reflect"
	"testing"
)

func TestFromEnvLowerCaseFirst(t *testing.T) {
	env := map[string]string{"http_proxy": "http://127.0.0.1:3128", "HTTP_PROXY": "http://other:1", "HTTPS_PROXY": "http://localhost:3129", "NO_PROXY": "db,cache"}
	s := FromEnv(func(k string) string { return env[k] })
	want := Settings{HTTP: "http://127.0.0.1:3128", HTTPS: "http://localhost:3129", NoProxy: "db,cache"}
	if s != want {
		t.Fatalf("%+v", s)
	}
	if s.Empty() || !(Settings{NoProxy: "x"}).Empty() {
		t.Error("Empty")
	}
}

func TestLoopbackAndRewrite(t *testing.T) {
	s := Settings{HTTP: "http://127.0.0.1:3128", HTTPS: "localhost:3128", NoProxy: "db"}
	if got := s.Loopback(); !reflect.DeepEqual(got, []string{"127.0.0.1:3128"}) {
		t.Errorf("Loopback %v", got)
	}
	r := s.Rewrite(func(hp string) string { return "10.0.0.1:40000" })
	if r.HTTP != "http://10.0.0.1:40000" || r.HTTPS != "http://10.0.0.1:40000" || r.NoProxy != "db" {
		t.Errorf("Rewrite %+v", r)
	}
	remote := Settings{HTTP: "http://proxy.corp:8080", HTTPS: "http://[::1]:8080"}
	if got := remote.Loopback(); !reflect.DeepEqual(got, []string{"[::1]:8080"}) {
		t.Errorf("Loopback %v", got)
	}
	if r := remote.Rewrite(func(string) string { return "x:1" }); r.HTTP != "http://proxy.corp:8080" || r.HTTPS != "http://x:1" {
		t.Errorf("Rewrite %+v", r)
	}
	if !s.OnlyLoopback() || remote.OnlyLoopback() || (Settings{}).OnlyLoopback() || !(Settings{HTTPS: "http://[::1]:1"}).OnlyLoopback() {
		t.Error("OnlyLoopback")
	}
	if (Settings{HTTP: "http://127.0.0.1"}).Loopback()[0] != "127.0.0.1:80" {
		t.Error("default port")
	}
}

func TestEnviron(t *testing.T) {
	e := Settings{HTTP: "http://a:1", NoProxy: "db"}.Environ()
	want := map[string]string{"http_proxy": "http://a:1", "HTTP_PROXY": "http://a:1", "no_proxy": "db", "NO_PROXY": "db"}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("%v", e)
	}
	if len(Settings{}.Environ()) != 0 {
		t.Error("empty settings set variables")
	}
}
