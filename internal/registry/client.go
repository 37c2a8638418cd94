package registry

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The protocol (as a province's data-sharing platform exposes the
// population database to its communes):
//
//	POST {base}/v1/cong-dan/tra-cuu
//	Content-Type: application/json
//	X-Client-Id: <agency code>
//	X-Request-Id: <random>
//	X-Timestamp: <Unix seconds>
//	X-Signature: hex(HMAC-SHA256(secret, timestamp + "\n" + request id + "\n" + body))
//	{"so_dinh_danh": "038190012345", "ma_thu_tuc": "1.001193", "ma_can_bo": "u001"}
//
//	200 {"ket_qua": {…Person…}}   404 not found   401 bad signature   429/503 try later
//
// Requests older than five minutes are refused by the server (replay).

var reID = regexp.MustCompile(`^[0-9]{12}$`)

// Client is the protocol client.
type Client struct {
	BaseURL  string
	ClientID string
	Secret   string
	HTTP     *http.Client
	sandbox  bool
}

// NewClient returns a client for the platform at baseURL.
func NewClient(baseURL, clientID, secret string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), ClientID: clientID, Secret: secret, HTTP: &http.Client{Timeout: timeout}}
}

// Sandbox reports whether the client talks to motcua's sandbox.
func (c *Client) Sandbox() bool { return c.sandbox }

// MarkSandbox labels the client as talking to the sandbox.
func (c *Client) MarkSandbox() *Client { c.sandbox = true; return c }

type lookupRequest struct {
	IDNumber  string `json:"so_dinh_danh"`
	Procedure string `json:"ma_thu_tuc"`
	Officer   string `json:"ma_can_bo"`
}

// Lookup asks the platform for a resident.
func (c *Client) Lookup(ctx context.Context, idNumber string, purpose Purpose) (*Person, error) {
	idNumber = strings.TrimSpace(idNumber)
	if !reID.MatchString(idNumber) {
		return nil, ErrInvalidID
	}
	body, _ := json.Marshal(lookupRequest{IDNumber: idNumber, Procedure: purpose.Procedure, Officer: purpose.Officer})
	req, err := http.NewRequestWithContext(ctx, "POST", c.BaseURL+"/v1/cong-dan/tra-cuu", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	rid := make([]byte, 8)
	rand.Read(rid)
	reqID := hex.EncodeToString(rid)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Client-Id", c.ClientID)
	req.Header.Set("X-Request-Id", reqID)
	req.Header.Set("X-Timestamp", ts)
	req.Header.Set("X-Signature", Sign(c.Secret, ts, reqID, body))
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, ErrUnavailable
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, ErrNotFound
	case http.StatusBadRequest:
		return nil, ErrInvalidID
	default:
		return nil, ErrUnavailable
	}
	var out struct {
		Result *Person `json:"ket_qua"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 64<<10)).Decode(&out); err != nil || out.Result == nil {
		return nil, ErrUnavailable
	}
	return out.Result, nil
}

// Sign is the request signature of the protocol.
func Sign(secret, timestamp, requestID string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + requestID + "\n"))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}
