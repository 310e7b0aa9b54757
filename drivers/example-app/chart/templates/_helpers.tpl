{{/* Labels every object of the release carries. */}}
{{- define "example-app.labels" -}}
app.kubernetes.io/name: example-app
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* Selector labels of one component; the driver's component identifiers match these. */}}
{{- define "example-app.selector" -}}
app.kubernetes.io/name: example-app
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The Deployment of one component: .root is the chart context, .component its name, .spec its values. */}}
{{- define "example-app.deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .component }}
  labels:
    {{- include "example-app.labels" .root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  replicas: {{ .spec.replicas }}
  selector:
    matchLabels:
      {{- include "example-app.selector" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "example-app.selector" . | nindent 8 }}
      annotations:
        # Restart the pods when the configuration changes.
        checksum/config: {{ include (print .root.Template.BasePath "/configmap.yaml") .root | sha256sum }}
        {{- with .root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      containers:
        - name: {{ .component }}
          image: "{{ .root.Values.image.repository }}:{{ .root.Values.image.tag | default .root.Chart.AppVersion }}"
          imagePullPolicy: {{ .root.Values.image.pullPolicy }}
          {{- with .spec.command }}
          command: {{ toJson . }}
          {{- end }}
          {{- with .spec.args }}
          args: {{ toJson . }}
          {{- end }}
          envFrom:
            - configMapRef:
                name: example-app-config
          env:
            - name: ADMIN_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: example-app-admin
                  key: admin-password
            {{- range .spec.env }}
            - name: {{ .name | quote }}
              value: {{ .value | quote }}
            {{- end }}
          {{- if eq .component "server" }}
          ports:
            - name: http
              containerPort: {{ .root.Values.service.port }}
            {{- if .root.Values.metrics.enabled }}
            - name: metrics
              containerPort: {{ .root.Values.metrics.port }}
            {{- end }}
          {{- end }}
{{- end }}
